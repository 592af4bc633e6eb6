"""Sign-in by magic link, sign-out, and the signed-in user."""

from chalice.app import Response
from momentum import auth
from momentum.http import Context, MomentumApp
from momentum.models import User

app = MomentumApp("momentum-auth")


@app.route(
    "/auth/magic-link",
    ["POST"],
    auth="public",
    body=auth.MagicLinkIn,
    response=auth.MagicLinkOut,
    status=202,
    errors=("rate_limited",),
)
def request_magic_link(ctx: Context[auth.MagicLinkIn]) -> auth.MagicLinkOut:
    """Email a one-time sign-in link (the answer is the same for known and unknown addresses)."""
    return auth.request_magic_link(ctx.conn, ctx.body, ctx.client)


@app.route(
    "/auth/verify",
    ["POST"],
    auth="public",
    body=auth.VerifyIn,
    response=auth.SessionOut,
    status=201,
    errors=("invalid_token", "rate_limited"),
)
def verify(ctx: Context[auth.VerifyIn]) -> auth.SessionOut:
    """Exchange the emailed token for a bearer token, creating the account on first sign-in."""
    return auth.verify(ctx.conn, ctx.body, ctx.client)


@app.route("/auth/verify", ["GET"], auth="public")
def sign_in_page(ctx: Context) -> Response:
    """The page a sign-in link opens: it signs in (POST /auth/verify) only when the person confirms."""
    return Response(body=auth.SIGN_IN_PAGE, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@app.route("/auth/logout", ["POST"], status=204)
def logout(ctx: Context) -> None:
    """Revoke the bearer token used for this request."""
    auth.logout(ctx.conn, ctx.user, ctx.client)


@app.route("/me", response=User)
def get_me(ctx: Context) -> User:
    """The signed-in user."""
    return auth.get_user(ctx.conn, ctx.user.id)


@app.route("/me", ["PATCH"], body=auth.ProfilePatch, response=User)
def update_me(ctx: Context[auth.ProfilePatch]) -> User:
    """Change your display name or avatar URL (null clears one); the rest of the record is read-only."""
    return auth.update_profile(ctx.conn, ctx.user.id, ctx.body)
