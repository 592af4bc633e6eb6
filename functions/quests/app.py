"""Quests: universal quests (accept, progress from what you do, claim) and personal quests; admin CRUD."""

from uuid import UUID

from momentum.http import Context, MomentumApp, Page, PageQuery
from momentum.quests import models, personal, universal

app = MomentumApp("momentum-quests")


@app.route("/quests", query=models.QuestQuery, response=Page[models.UserQuest])
def list_quests(ctx: Context[None, models.QuestQuery]) -> Page[models.UserQuest]:
    """Active universal quests with your progress in those you accepted."""
    return universal.list_quests(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/quests/{quest_id}", response=models.UserQuest)
def get_quest(ctx: Context, quest_id: UUID) -> models.UserQuest:
    """One quest with your progress in it."""
    return universal.get_quest(ctx.conn, ctx.user.id, quest_id)


@app.route("/quests/{quest_id}/accept", ["POST"], response=models.UserQuest, status=201, errors=("quest_accepted",))
def accept_quest(ctx: Context, quest_id: UUID) -> models.UserQuest:
    """Accept a quest; what you do from now on counts towards it."""
    return universal.accept_quest(ctx.conn, ctx.user.id, quest_id)


@app.route(
    "/quests/{quest_id}/claim",
    ["POST"],
    response=models.QuestClaim,
    errors=("quest_not_completed", "already_claimed"),
)
def claim_quest(ctx: Context, quest_id: UUID) -> models.QuestClaim:
    """Claim a completed quest's reward (once per completion)."""
    return universal.claim_quest(ctx.conn, ctx.user.id, quest_id)


@app.route("/personal-quests", query=PageQuery, response=Page[models.PersonalQuest])
def list_personal_quests(ctx: Context[None, PageQuery]) -> Page[models.PersonalQuest]:
    """Your own quests, newest first."""
    return personal.list_personal(ctx.conn, ctx.user.id, ctx.page)


@app.route(
    "/personal-quests",
    ["POST"],
    body=models.PersonalQuestIn,
    response=models.PersonalQuest,
    status=201,
    errors=("reward_over_limit",),
)
def create_personal_quest(ctx: Context[models.PersonalQuestIn]) -> models.PersonalQuest:
    """Create a quest of your own, with a reward up to the configured limit."""
    return personal.create_personal(ctx.conn, ctx.user.id, ctx.body)


@app.route("/personal-quests/{quest_id}", response=models.PersonalQuest)
def get_personal_quest(ctx: Context, quest_id: UUID) -> models.PersonalQuest:
    """One of your quests."""
    return personal.get_personal(ctx.conn, ctx.user.id, quest_id)


@app.route(
    "/personal-quests/{quest_id}",
    ["PATCH"],
    body=models.PersonalQuestPatch,
    response=models.PersonalQuest,
    errors=("reward_over_limit",),
)
def update_personal_quest(ctx: Context[models.PersonalQuestPatch], quest_id: UUID) -> models.PersonalQuest:
    """Change the fields sent."""
    return personal.update_personal(ctx.conn, ctx.user.id, quest_id, ctx.body)


@app.route("/personal-quests/{quest_id}", ["DELETE"], status=204)
def delete_personal_quest(ctx: Context, quest_id: UUID) -> None:
    """Delete one of your quests."""
    personal.delete_personal(ctx.conn, ctx.user.id, quest_id)


@app.route(
    "/personal-quests/{quest_id}/progress",
    ["POST"],
    body=models.QuestProgressIn,
    response=models.PersonalQuest,
    errors=("quest_not_active",),
)
def advance_personal_quest(ctx: Context[models.QuestProgressIn], quest_id: UUID) -> models.PersonalQuest:
    """Record progress; reaching the target completes the quest."""
    return personal.advance_personal(ctx.conn, ctx.user.id, quest_id, ctx.body)


@app.route(
    "/personal-quests/{quest_id}/claim",
    ["POST"],
    response=models.PersonalQuest,
    errors=("quest_not_completed", "already_claimed", "personal_quest_limit", "insufficient_coins"),
)
def claim_personal_quest(ctx: Context, quest_id: UUID) -> models.PersonalQuest:
    """Collect a completed quest's reward (once per completion, a few a day)."""
    return personal.claim_personal(ctx.conn, ctx.user.id, quest_id)


@app.route("/admin/quests", auth="admin", query=PageQuery, response=Page[models.Quest])
def admin_list_quests(ctx: Context[None, PageQuery]) -> Page[models.Quest]:
    """Every universal quest, active or not."""
    return universal.admin_list_quests(ctx.conn, ctx.page)


@app.route("/admin/quests", ["POST"], auth="admin", body=models.QuestIn, response=models.Quest, status=201)
def admin_create_quest(ctx: Context[models.QuestIn]) -> models.Quest:
    """Create a universal quest."""
    return universal.admin_create_quest(ctx.conn, ctx.user.id, ctx.body)


@app.route("/admin/quests/{quest_id}", auth="admin", response=models.Quest)
def admin_get_quest(ctx: Context, quest_id: UUID) -> models.Quest:
    """One universal quest."""
    return universal.admin_get_quest(ctx.conn, quest_id)


@app.route("/admin/quests/{quest_id}", ["PATCH"], auth="admin", body=models.QuestPatch, response=models.Quest)
def admin_update_quest(ctx: Context[models.QuestPatch], quest_id: UUID) -> models.Quest:
    """Change the fields sent (deactivate with is_active false)."""
    return universal.admin_update_quest(ctx.conn, quest_id, ctx.body)


@app.route("/admin/quests/{quest_id}", ["DELETE"], auth="admin", status=204)
def admin_delete_quest(ctx: Context, quest_id: UUID) -> None:
    """Delete a universal quest with everyone's progress in it."""
    universal.admin_delete_quest(ctx.conn, quest_id)
