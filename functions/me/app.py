"""The signed-in user's balances, history and progress."""

from momentum import boosts, gamification
from momentum.http import Context, MomentumApp, Page, PageQuery

app = MomentumApp("momentum-me")


@app.route("/me/wallet", response=gamification.Wallet)
def wallet(ctx: Context) -> gamification.Wallet:
    """Coin balance and lifetime totals."""
    return gamification.get_wallet(ctx.conn, ctx.user.id)


@app.route("/me/progress", response=gamification.Progress)
def progress(ctx: Context) -> gamification.Progress:
    """Lifetime XP, level and the way to the next level."""
    return gamification.get_progress(ctx.conn, ctx.user.id)


@app.route("/me/ledger", query=PageQuery, response=Page[gamification.LedgerEntry])
def ledger(ctx: Context[None, PageQuery]) -> Page[gamification.LedgerEntry]:
    """Every coin, XP and skill-star change, newest first."""
    return gamification.list_ledger(ctx.conn, ctx.user.id, ctx.page)


@app.route("/me/skills", response=Page[gamification.Skill])
def skills(ctx: Context) -> Page[gamification.Skill]:
    """Every skill with the user's stars and level in it."""
    return Page(items=gamification.list_skills(ctx.conn, ctx.user.id))  # a short list: always one page


@app.route("/me/streaks", response=Page[gamification.Streak])
def streaks(ctx: Context) -> Page[gamification.Streak]:
    """Daily streaks by activity (reading, workout, learning, …)."""
    return Page(items=gamification.list_streaks(ctx.conn, ctx.user.id))  # a short list: always one page


@app.route("/me/achievements", response=Page[gamification.Achievement])
def achievements(ctx: Context) -> Page[gamification.Achievement]:
    """Earned achievements first, then the visible ones still to earn."""
    return Page(items=gamification.list_achievements(ctx.conn, ctx.user.id))  # a short list: always one page


@app.route("/me/boosts", response=Page[boosts.ActiveBoost])
def list_boosts(ctx: Context) -> Page[boosts.ActiveBoost]:
    """Shop boosts running or still to come, and banked streak freezes."""
    return Page(items=boosts.list_boosts(ctx.conn, ctx.user.id))  # a short list: always one page


@app.route("/me/equipped", ["PUT"], body=boosts.EquipIn, response=Page[boosts.EquippedItem], errors=("not_found",))
def equip_item(ctx: Context[boosts.EquipIn]) -> Page[boosts.EquippedItem]:
    """Equip an avatar, theme or frame you hold, in its slot (shown on GET /me); answers every slot's item."""
    return Page(items=boosts.equip(ctx.conn, ctx.user.id, ctx.body))  # at most one item per slot: one page


@app.route("/me/equipped/{slot}", ["DELETE"], response=Page[boosts.EquippedItem])
def unequip_item(ctx: Context, slot: str) -> Page[boosts.EquippedItem]:
    """Take off what a slot (avatar, theme, frame) shows; answers what the other slots still show."""
    return Page(items=boosts.unequip(ctx.conn, ctx.user.id, slot))
