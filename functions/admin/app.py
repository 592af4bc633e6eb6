"""Admin-only actions: grants and rewards, users and roles, the audit trail, feedback, feature flags and
onboarding flows."""

from typing import Any
from uuid import UUID

from momentum import gamification
from momentum.http import Context, MomentumApp, Page
from momentum.market import models, rewards
from momentum.platform import console, feedback, flags, onboarding

app = MomentumApp("momentum-admin")


@app.route(
    "/admin/users/{user_id}/grants",
    ["POST"],
    auth="admin",
    body=gamification.GrantIn,
    response=gamification.LedgerEntry,
    status=201,
    idempotent=True,
    errors=("insufficient_coins", "unknown_skill", "idempotency_key_reused"),
)
def grant(ctx: Context[gamification.GrantIn], user_id: UUID) -> gamification.LedgerEntry:
    """Pay or take back coins and XP, or pay skill stars; send an Idempotency-Key to make retries safe (the same key
    with another body is a 409)."""
    return gamification.admin_grant(ctx.conn, ctx.user, user_id, ctx.body, ctx.idempotency_key, ctx.client)


@app.route(
    "/admin/users/{user_id}/rewards",
    ["POST"],
    auth="admin",
    body=models.RewardIn,
    response=models.Reward,
    status=201,
    idempotent=True,
    errors=("idempotency_key_reused",),
)
def create_reward(ctx: Context[models.RewardIn], user_id: UUID) -> models.Reward:
    """Give a user a claimable reward (e.g. for a quest); send an Idempotency-Key to make retries safe."""
    return rewards.admin_create_reward(ctx.conn, ctx.user, user_id, ctx.body, ctx.idempotency_key, ctx.client)


# ---------------------------------------------------------------- platform: users, roles, audit trail


@app.route("/admin/users", auth="admin", query=console.UserQuery, response=Page[console.AdminUser])
def list_users(ctx: Context[None, console.UserQuery]) -> Page[console.AdminUser]:
    """Users, newest first; ?q= searches email and name, ?role= filters by an active role."""
    return console.list_users(ctx.conn, ctx.query, ctx.page)


@app.route("/admin/users/{user_id}", auth="admin", response=console.AdminUser)
def get_user(ctx: Context, user_id: UUID) -> console.AdminUser:
    """One user with their active roles."""
    return console.get_admin_user(ctx.conn, user_id)


@app.route(
    "/admin/users/{user_id}/roles",
    ["POST"],
    auth="admin",
    body=console.RoleGrantIn,
    response=console.RoleGrant,
    status=201,
    errors=("unknown_role",),
)
def grant_role(ctx: Context[console.RoleGrantIn], user_id: UUID) -> console.RoleGrant:
    """Grant (or renew) a role, optionally until a date; audited."""
    return console.grant_role(ctx.conn, ctx.user, user_id, ctx.body, ctx.client)


@app.route("/admin/users/{user_id}/roles/{role}", ["DELETE"], auth="admin", status=204, errors=("own_admin_role",))
def revoke_role(ctx: Context, user_id: UUID, role: str) -> None:
    """Revoke a role; audited. Admins cannot revoke their own admin role."""
    console.revoke_role(ctx.conn, ctx.user, user_id, role, ctx.client)


@app.route("/admin/audit-log", auth="admin", query=console.AuditQuery, response=Page[console.AuditEntry])
def audit_log(ctx: Context[None, console.AuditQuery]) -> Page[console.AuditEntry]:
    """The audit trail, newest first, filtered by user, event, resource, action and time."""
    return console.list_audit(ctx.conn, ctx.query, ctx.page)


# ---------------------------------------------------------------- platform: feedback


@app.route("/admin/feedback", auth="admin", query=feedback.FeedbackQuery, response=Page[feedback.Feedback])
def list_all_feedback(ctx: Context[None, feedback.FeedbackQuery]) -> Page[feedback.Feedback]:
    """Everyone's feedback, newest first, filtered by status, priority and type."""
    return feedback.list_feedback(ctx.conn, None, ctx.query, ctx.page)


@app.route(
    "/admin/feedback/{feedback_id}",
    ["PATCH"],
    auth="admin",
    body=feedback.FeedbackTriage,
    response=feedback.Feedback,
)
def triage_feedback(ctx: Context[feedback.FeedbackTriage], feedback_id: UUID) -> feedback.Feedback:
    """Respond, set status and priority (resolved_at follows the status); audited."""
    return feedback.triage(ctx.conn, ctx.user, feedback_id, ctx.body, ctx.client)


# ---------------------------------------------------------------- platform: feature flags


@app.route("/admin/feature-flags", auth="admin", response=list[flags.Flag])
def list_flags(ctx: Context) -> list[flags.Flag]:
    """Every feature flag."""
    return flags.list_flags(ctx.conn)


@app.route(
    "/admin/feature-flags",
    ["POST"],
    auth="admin",
    body=flags.FlagIn,
    response=flags.Flag,
    status=201,
    errors=("flag_exists",),
)
def create_flag(ctx: Context[flags.FlagIn]) -> flags.Flag:
    """Define a flag; metadata.rollout_percent rolls it out to a stable share of users. Audited."""
    return flags.create_flag(ctx.conn, ctx.user, ctx.body, ctx.client)


@app.route("/admin/feature-flags/{flag_id}", auth="admin", response=flags.Flag)
def get_flag(ctx: Context, flag_id: UUID) -> flags.Flag:
    """One flag."""
    return flags.get_flag(ctx.conn, flag_id)


@app.route("/admin/feature-flags/{flag_id}", ["PATCH"], auth="admin", body=flags.FlagPatch, response=flags.Flag)
def update_flag(ctx: Context[flags.FlagPatch], flag_id: UUID) -> flags.Flag:
    """Change a flag (the fields sent); every function sees it within the flag cache time. Audited."""
    return flags.update_flag(ctx.conn, ctx.user, flag_id, ctx.body, ctx.client)


@app.route("/admin/feature-flags/{flag_id}", ["DELETE"], auth="admin", status=204)
def delete_flag(ctx: Context, flag_id: UUID) -> None:
    """Delete a flag. Audited."""
    flags.delete_flag(ctx.conn, ctx.user, flag_id, ctx.client)


# ---------------------------------------------------------------- platform: onboarding flows


def _actor(ctx: Context[Any, Any]) -> onboarding.Actor:
    return onboarding.Actor(ctx.user, ctx.client)


@app.route("/admin/onboarding/flows", auth="admin", response=list[onboarding.Flow])
def list_flows(ctx: Context) -> list[onboarding.Flow]:
    """Every onboarding flow with its steps."""
    return onboarding.list_flows(ctx.conn)


@app.route(
    "/admin/onboarding/flows",
    ["POST"],
    auth="admin",
    body=onboarding.FlowIn,
    response=onboarding.Flow,
    status=201,
    errors=("flow_exists",),
)
def create_flow(ctx: Context[onboarding.FlowIn]) -> onboarding.Flow:
    """Define a flow with its steps in order."""
    return onboarding.create_flow(ctx.conn, ctx.body, _actor(ctx))


@app.route("/admin/onboarding/flows/{flow_id}", auth="admin", response=onboarding.Flow)
def get_flow(ctx: Context, flow_id: UUID) -> onboarding.Flow:
    """One flow with its steps."""
    return onboarding.get_flow(ctx.conn, flow_id)


@app.route(
    "/admin/onboarding/flows/{flow_id}", ["PATCH"], auth="admin", body=onboarding.FlowPatch, response=onboarding.Flow
)
def update_flow(ctx: Context[onboarding.FlowPatch], flow_id: UUID) -> onboarding.Flow:
    """Rename, describe, activate or deactivate a flow."""
    return onboarding.update_flow(ctx.conn, flow_id, ctx.body, _actor(ctx))


@app.route("/admin/onboarding/flows/{flow_id}", ["DELETE"], auth="admin", status=204)
def delete_flow(ctx: Context, flow_id: UUID) -> None:
    """Delete a flow with its steps and everyone's progress in it."""
    onboarding.delete_flow(ctx.conn, flow_id, _actor(ctx))


@app.route(
    "/admin/onboarding/flows/{flow_id}/steps",
    ["POST"],
    auth="admin",
    body=onboarding.StepIn,
    response=onboarding.Flow,
    status=201,
)
def add_step(ctx: Context[onboarding.StepIn], flow_id: UUID) -> onboarding.Flow:
    """Insert a step at a position (default: the end); the steps after it move down."""
    return onboarding.add_step(ctx.conn, flow_id, ctx.body, _actor(ctx))


@app.route(
    "/admin/onboarding/flows/{flow_id}/steps/{step_id}",
    ["PUT"],
    auth="admin",
    body=onboarding.StepIn,
    response=onboarding.Flow,
)
def replace_step(ctx: Context[onboarding.StepIn], flow_id: UUID, step_id: UUID) -> onboarding.Flow:
    """Replace a step; with a position, move it there."""
    return onboarding.replace_step(ctx.conn, flow_id, step_id, ctx.body, _actor(ctx))


@app.route("/admin/onboarding/flows/{flow_id}/steps/{step_id}", ["DELETE"], auth="admin", response=onboarding.Flow)
def delete_step(ctx: Context, flow_id: UUID, step_id: UUID) -> onboarding.Flow:
    """Remove a step; the steps after it move up."""
    return onboarding.delete_step(ctx.conn, flow_id, step_id, _actor(ctx))


@app.route(
    "/admin/onboarding/flows/{flow_id}/order",
    ["PUT"],
    auth="admin",
    body=onboarding.OrderIn,
    response=onboarding.Flow,
    errors=("invalid_order",),
)
def reorder_steps(ctx: Context[onboarding.OrderIn], flow_id: UUID) -> onboarding.Flow:
    """Put the steps in the order given (every step once)."""
    return onboarding.reorder_steps(ctx.conn, flow_id, ctx.body, _actor(ctx))
