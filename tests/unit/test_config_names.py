"""The configuration's environment names come from its fields, and template.yaml sets only names it reads."""

from momentum.config import Settings, environment_names
from momentum_infra.template import load_template


def test_names_are_the_fields_in_capitals_unless_aliased():
    names = dict(zip(Settings.model_fields, environment_names(), strict=True))
    assert names["database_url"] == "DATABASE_URL"
    assert names["magic_link_max_per_window"] == "MAGIC_LINK_MAX_PER_WINDOW"
    assert names["aws_endpoint_url"] == "MOMENTUM_AWS_ENDPOINT_URL"  # the explicit alias of the local stack


def test_settings_read_their_environment_names(monkeypatch):
    from momentum import config

    monkeypatch.setenv("MOMENTUM_AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1234")
    monkeypatch.setenv("LOG_LEVEL", "")  # empty is unset
    config.get_settings.cache_clear()
    try:
        settings = config.get_settings()
        assert (settings.aws_endpoint_url, settings.upload_max_bytes, settings.log_level) == (
            "http://127.0.0.1:5000",
            1234,
            "INFO",
        )
    finally:
        config.get_settings.cache_clear()


def test_the_template_sets_only_variables_the_settings_read():
    template = load_template()
    variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        variables |= set(resource.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    assert variables - set(environment_names()) == set()
