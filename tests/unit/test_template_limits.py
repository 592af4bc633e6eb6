"""The API stage's throttling and CORS in template.yaml: one client cannot drain the database, sign-in routes are
throttled tighter, preflights and API Gateway's own errors are answered for browser clients."""

from momentum_infra.template import load_template


def api_properties():
    template = load_template()
    return template, next(r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api")[
        "Properties"
    ]


def test_the_stage_and_the_sign_in_routes_are_throttled():
    template, api = api_properties()
    settings = {(m["ResourcePath"], m["HttpMethod"]): m for m in api["MethodSettings"]}
    stage = settings["/*", "*"]
    assert stage["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert stage["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    for path in ("/~1auth~1magic-link", "/~1auth~1verify"):
        assert settings[path, "POST"]["ThrottlingRateLimit"] == {"Ref": "SignInThrottleRate"}
    parameters = template["Parameters"]
    assert parameters["SignInThrottleRate"]["Default"] < parameters["ApiThrottleRate"]["Default"]


def test_cors_is_configured_for_preflights_and_gateway_errors():
    template, api = api_properties()
    assert "Idempotency-Key" in api["Cors"]["AllowHeaders"]
    for response in ("DEFAULT_4XX", "DEFAULT_5XX"):
        headers = api["GatewayResponses"][response]["ResponseParameters"]["Headers"]
        assert "Retry-After" in headers["Access-Control-Expose-Headers"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ALLOWED_ORIGINS"] == {"Ref": "AllowedOrigins"}
