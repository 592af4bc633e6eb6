"""The purge's age follows the limits' settings: the longest window of any limit, plus the margin."""

from momentum import limits


def test_the_purge_keeps_every_limit_window_and_the_margin(settings):
    windows = [limit.window_seconds for limit in limits.all_limits()]
    assert limits.purge_age_seconds() == max(windows) + limits.PURGE_MARGIN_SECONDS
    for name in ("MAGIC_LINK_PER_IP_WINDOW_SECONDS", "MAGIC_LINK_GLOBAL_WINDOW_SECONDS", "VERIFY_LOCKOUT_SECONDS"):
        settings(**{name: 86400})
        assert limits.purge_age_seconds() == 86400 + limits.PURGE_MARGIN_SECONDS, name
        settings(**{name: 60})


def test_every_limit_builder_is_purged_by_its_window():
    """A new builder of a Limit in limits.py must join all_limits, or the purge could delete what it counts."""
    import inspect

    builders = [
        f for name, f in vars(limits).items() if inspect.isfunction(f) and f.__annotations__.get("return") == "Limit"
    ]
    assert {f().scope for f in builders} == {limit.scope for limit in limits.all_limits()}
