"""Platform: health and version, the person's settings, interests and feature flags, capture tools (inbox, ideas,
infobase, references), feedback, and the onboarding walk. Admin routes for these live in functions/admin."""

from typing import Any
from uuid import UUID

from chalice.app import Response
from momentum.http import Context, MomentumApp, Page
from momentum.platform import account, capture, feedback, flags, health, interests, onboarding, settings, today
from momentum.platform.capture import IDEAS, INBOX, INFOBASE, REFERENCES

app = MomentumApp("momentum-platform")


# ---------------------------------------------------------------- health


@app.route("/health", auth="public", response=health.Health)
def get_health(ctx: Context) -> Response:
    """Whether the database answers and is migrated to the revision this code expects (503 when not)."""
    result = health.health(lambda: ctx.conn)
    return Response(
        body=result.model_dump(mode="json"),
        status_code=200 if result.status == "ok" else 503,
        headers={"Content-Type": "application/json"},
    )


@app.route("/version", auth="public", response=health.Version)
def get_version(ctx: Context) -> health.Version:
    """The code's version, the stage and the schema revision it expects."""
    return health.version()


# ---------------------------------------------------------------- the home screen and the account


@app.route("/today", response=today.TodayView)
def get_today(ctx: Context) -> today.TodayView:
    """Everything the home screen shows, for your local day, in one call."""
    return today.get_today(ctx.conn, ctx.user.id)


@app.route("/me/export", ["POST"], response=account.ExportLink, status=201)
def export_account(ctx: Context) -> account.ExportLink:
    """Archive everything you own as JSON; the answer links to it for 15 minutes."""
    return account.export_account(ctx.conn, ctx.user.id)


@app.route("/me", ["DELETE"], body=account.DeleteIn, status=204, errors=("confirmation_mismatch", "not_found"))
def delete_account(ctx: Context[account.DeleteIn]) -> None:
    """Delete your account and everything you own, for good; confirm with your account's email (404 when a
    deletion sent at the same time got there first)."""
    account.delete_account(ctx.conn, ctx.user.id, ctx.body)


# ---------------------------------------------------------------- settings, interests, flags


@app.route("/me/settings", response=settings.UserSettings)
def get_settings(ctx: Context) -> settings.UserSettings:
    """Every known setting, with its default where you have not chosen."""
    return settings.get_settings(ctx.conn, ctx.user.id)


@app.route("/me/settings", ["PATCH"], body=settings.SettingsPatch, response=settings.UserSettings)
def update_settings(ctx: Context[settings.SettingsPatch]) -> settings.UserSettings:
    """Change the settings sent, all or none."""
    return settings.update_settings(ctx.conn, ctx.user.id, ctx.body)


@app.route("/me/settings/{key}", response=settings.Setting)
def get_setting(ctx: Context, key: str) -> settings.Setting:
    """One setting (a known key; see GET /me/settings)."""
    return settings.read_setting(ctx.conn, ctx.user.id, key)


@app.route(
    "/me/settings/{key}", ["PUT"], body=settings.SettingValueIn, response=settings.Setting, errors=("unknown_setting",)
)
def put_setting(ctx: Context[settings.SettingValueIn], key: str) -> settings.Setting:
    """Set one known setting; its value must fit the key's schema (unknown keys are refused)."""
    return settings.set_setting(ctx.conn, ctx.user.id, key, ctx.body.value)


@app.route("/me/settings/{key}", ["DELETE"], response=settings.Setting)
def delete_setting(ctx: Context, key: str) -> settings.Setting:
    """Go back to a setting's default."""
    return settings.delete_setting(ctx.conn, ctx.user.id, key)


@app.route("/interests", response=list[interests.Interest])
def list_vocabulary(ctx: Context) -> list[interests.Interest]:
    """The interests one can choose, with their labels."""
    return interests.vocabulary()


@app.route("/me/interests", response=list[interests.UserInterest])
def list_interests(ctx: Context) -> list[interests.UserInterest]:
    """Your interests; the market recommends items that match them."""
    return interests.list_interests(ctx.conn, ctx.user.id)


@app.route(
    "/me/interests",
    ["PUT"],
    body=interests.InterestsIn,
    response=list[interests.UserInterest],
    errors=("unknown_interest",),
)
def set_interests(ctx: Context[interests.InterestsIn]) -> list[interests.UserInterest]:
    """Replace your interests with keys from GET /interests."""
    return interests.set_interests(ctx.conn, ctx.user.id, ctx.body.keys)


@app.route("/me/flags", response=flags.MyFlags)
def my_flags(ctx: Context) -> flags.MyFlags:
    """Every feature flag and whether it is on for you, in one call."""
    return flags.my_flags(ctx.conn, ctx.user.id)


# ---------------------------------------------------------------- capture tools


def _crud(kind: capture.Kind, base: str, id_name: str, body: Any, patch: Any, query: Any, noun: str) -> None:
    """The five routes of a capture kind; each view calls one layer function."""
    one = f"{base}/{{{id_name}}}"

    def list_items(ctx: Context[Any, Any]) -> Page[Any]:
        return capture.list_items(ctx.conn, kind, ctx.user.id, ctx.query, ctx.page)

    def create_item(ctx: Context[Any, Any]) -> Any:
        return capture.create_item(ctx.conn, kind, ctx.user.id, ctx.body)

    def get_item(ctx: Context, **ids: UUID) -> Any:
        return capture.get_item(ctx.conn, kind, ctx.user.id, ids[id_name])

    def update_item(ctx: Context[Any, Any], **ids: UUID) -> Any:
        return capture.update_item(ctx.conn, kind, ctx.user.id, ids[id_name], ctx.body)

    def delete_item(ctx: Context, **ids: UUID) -> None:
        capture.delete_item(ctx.conn, kind, ctx.user.id, ids[id_name])

    for view in (list_items, create_item, get_item, update_item, delete_item):
        # one operation id per route: list_ideas, create_idea, …
        verb = view.__name__.split("_")[0]
        view.__name__ = f"{verb}_{kind.plural if verb == 'list' else kind.resource}"
    page_of_kind: Any = Page  # Page[<the kind's model>], for the OpenAPI document
    app.route(base, query=query, response=page_of_kind[kind.model], summary=f"Your {noun}s, filtered; ?q= searches")(
        list_items
    )
    app.route(base, ["POST"], body=body, response=kind.model, status=201, summary=f"Add a {noun}")(create_item)
    app.route(one, response=kind.model, summary=f"One of your {noun}s")(get_item)
    app.route(one, ["PATCH"], body=patch, response=kind.model, summary=f"Change a {noun} (the fields sent)")(
        update_item
    )
    app.route(one, ["DELETE"], status=204, summary=f"Delete a {noun}")(delete_item)


_crud(INBOX, "/capture/inbox", "item_id", capture.InboxItemIn, capture.InboxItemPatch, capture.InboxQuery, "inbox item")
_crud(IDEAS, "/capture/ideas", "idea_id", capture.IdeaIn, capture.IdeaPatch, capture.IdeaQuery, "idea")
_crud(
    INFOBASE, "/capture/infobase", "entry_id", capture.EntryIn, capture.EntryPatch, capture.IdeaQuery, "infobase entry"
)
_crud(
    REFERENCES,
    "/capture/references",
    "reference_id",
    capture.ReferenceIn,
    capture.ReferencePatch,
    capture.ReferenceQuery,
    "reference",
)


@app.route("/capture/inbox/{item_id}/process", ["POST"], response=capture.InboxItem)
def process_inbox_item(ctx: Context, item_id: UUID) -> capture.InboxItem:
    """Mark an inbox item processed."""
    return capture.process_inbox_item(ctx.conn, ctx.user.id, item_id)


@app.route(
    "/capture/inbox/{item_id}/convert",
    ["POST"],
    body=capture.ConvertIn,
    response=capture.Converted,
    status=201,
    errors=("already_processed",),
)
def convert_inbox_item(ctx: Context[capture.ConvertIn], item_id: UUID) -> capture.Converted:
    """Turn an inbox item into an idea or a reference; the item is marked processed."""
    return capture.convert_inbox_item(ctx.conn, ctx.user.id, item_id, ctx.body)


# ---------------------------------------------------------------- feedback


@app.route("/feedback", query=feedback.FeedbackQuery, response=Page[feedback.Feedback])
def list_feedback(ctx: Context[None, feedback.FeedbackQuery]) -> Page[feedback.Feedback]:
    """Your feedback with the team's responses, newest first."""
    return feedback.list_feedback(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/feedback", ["POST"], body=feedback.FeedbackIn, response=feedback.Feedback, status=201)
def file_feedback(ctx: Context[feedback.FeedbackIn]) -> feedback.Feedback:
    """Report a bug, ask for a feature or tell us anything."""
    return feedback.file_feedback(ctx.conn, ctx.user.id, ctx.body)


@app.route("/feedback/{feedback_id}", response=feedback.Feedback)
def get_feedback(ctx: Context, feedback_id: UUID) -> feedback.Feedback:
    """One of your feedback items."""
    return feedback.get_own_feedback(ctx.conn, ctx.user.id, feedback_id)


# ---------------------------------------------------------------- onboarding


@app.route("/onboarding", response=onboarding.Onboarding)
def get_onboarding(ctx: Context) -> onboarding.Onboarding:
    """The onboarding flow, where you are in it and your answers."""
    return onboarding.get_onboarding(ctx.conn, ctx.user.id)


@app.route("/onboarding/start", ["POST"], response=onboarding.Onboarding, errors=("already_completed", "cannot_resume"))
def start_onboarding(ctx: Context) -> onboarding.Onboarding:
    """Start onboarding, or resume it where you left it."""
    return onboarding.start(ctx.conn, ctx.user.id)


@app.route(
    "/onboarding/answers",
    ["POST"],
    body=onboarding.AnswerIn,
    response=onboarding.Onboarding,
    errors=("not_found", "invalid_answer", "not_a_question"),
)
def answer_onboarding(ctx: Context[onboarding.AnswerIn]) -> onboarding.Onboarding:
    """Answer (or change the answer to) a question; the answer is applied (interests, a setting, …)."""
    return onboarding.answer(ctx.conn, ctx.user.id, ctx.body)


@app.route(
    "/onboarding/next", ["POST"], response=onboarding.Onboarding, errors=("last_step", "not_started", "answer_required")
)
def next_step(ctx: Context) -> onboarding.Onboarding:
    """Go to the next step (a required question must be answered first)."""
    return onboarding.move(ctx.conn, ctx.user.id, "next")


@app.route("/onboarding/back", ["POST"], response=onboarding.Onboarding, errors=("first_step", "not_started"))
def previous_step(ctx: Context) -> onboarding.Onboarding:
    """Go back a step."""
    return onboarding.move(ctx.conn, ctx.user.id, "back")


@app.route(
    "/onboarding/skip", ["POST"], body=onboarding.SkipIn, response=onboarding.Onboarding, errors=("step_required",)
)
def skip_onboarding(ctx: Context[onboarding.SkipIn]) -> onboarding.Onboarding:
    """Skip the current step (if not required), or put the whole flow aside to resume later."""
    return onboarding.skip(ctx.conn, ctx.user.id, ctx.body.scope)


@app.route("/onboarding/complete", ["POST"], response=onboarding.Onboarding, errors=("answer_required",))
def complete_onboarding(ctx: Context) -> onboarding.Onboarding:
    """Finish onboarding once every required question is answered."""
    return onboarding.complete(ctx.conn, ctx.user.id)
