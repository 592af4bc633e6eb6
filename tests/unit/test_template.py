"""template.yaml is the map of what runs where: it must deploy, and agree with the apps' routes."""

import copy
import importlib
import json
import subprocess
import sys

import pytest
from momentum_infra import template as tpl


def packaged(template: dict) -> dict:
    """What `sam package` does before deploying: local code folders become S3 URIs."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://artifacts/{props[key].strip('/')}.zip"
    return template


@pytest.fixture(scope="module")
def translated(tmp_path_factory, monkeypatch_module):
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    out = tmp_path_factory.mktemp("sam") / "translated.json"
    out.write_text(json.dumps(transform(packaged(tpl.load_template()), {}, NoManagedPolicies())))
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def cfn_lint(path) -> list[str]:
    from cfnlint.api import lint_file

    return [str(match) for match in lint_file(path)]


def test_the_raw_template_passes_cfn_lint():
    assert cfn_lint(tpl.TEMPLATE) == []


# cfn-lint takes about ten seconds per template. The raw template's run (which includes cfn-lint's own SAM
# transform) is part of `make check`; the run on our translation and the check of the checker are left to `make test`.
@pytest.mark.slow
def test_the_translated_template_passes_cfn_lint(translated):
    assert cfn_lint(translated) == []


@pytest.mark.slow
def test_cfn_lint_reports_a_broken_translated_template(translated, tmp_path):
    broken = json.loads(translated.read_text())
    broken["Resources"]["AnalysisQueue"]["Properties"]["VisibilityTimeout"] = "a while"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    assert cfn_lint(path)


def test_translation_catches_a_misspelled_event_property(monkeypatch_module):
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    broken = packaged(tpl.load_template())
    broken["Resources"]["MeFunction"]["Properties"]["Events"]["Wallet"]["Properties"]["Pathh"] = "/me/wallet"

    class NoManagedPolicies:
        def load(self):
            return {}

    with pytest.raises(InvalidDocumentException):
        transform(broken, {}, NoManagedPolicies())


def test_routes_in_the_template_equal_routes_in_the_apps():
    in_template = {(r.method, r.path, r.module) for r in tpl.api_routes()}
    in_apps = set()
    for module in set(tpl.function_modules().values()):
        app = getattr(importlib.import_module(module), "app", None)  # queue-triggered functions have no routes
        routes = getattr(app, "routes", {})
        in_apps |= {(method, path, module) for path, entries in routes.items() for method in entries}
    assert in_template == in_apps


def test_every_function_folder_is_in_the_template():
    from momentum_infra import REPO_ROOT

    folders = {p.parent.name for p in (REPO_ROOT / "functions").glob("*/app.py")}
    assert folders == {m.split(".")[1] for m in tpl.function_modules().values()}


API_MODULES = sorted({r.module for r in tpl.api_routes()})


# One fresh interpreter imports the API functions one after another and notes which import brought numpy in: as
# fast as one import, and an import that pulls numpy in is still named (only a second culprit after it is hidden).
IMPORT_EACH = """
import importlib, sys
for module in sys.argv[1:]:
    before = "numpy" in sys.modules
    importlib.import_module(module)
    print(module, "numpy" in sys.modules and not before)
"""


@pytest.fixture(scope="module")
def imports_numpy() -> dict[str, bool]:
    """Whether importing each API function pulls in numpy."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, *API_MODULES], capture_output=True, text=True, check=True
    )
    answers = dict(line.split() for line in result.stdout.splitlines())
    return {module: answers[module] == "True" for module in API_MODULES}


@pytest.mark.parametrize("module", API_MODULES)
def test_api_functions_do_not_import_numpy(module, imports_numpy):
    assert imports_numpy[module] is False


# ---------------------------------------------------------------- security, migrations and observability


def resources_of(kind: str, template: dict | None = None) -> dict[str, dict]:
    template = template or tpl.load_template()
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def translate(template: dict) -> dict:
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    return transform(template, {}, NoManagedPolicies())


def test_queues_are_encrypted_at_rest():
    queues = resources_of("AWS::SQS::Queue")
    assert set(queues) == {
        "AnalysisQueue",
        "AnalysisDeadLetterQueue",
        "RecommendationsQueue",
        "RecommendationsDeadLetterQueue",
        "UploadSweepQueue",
        "UploadSweepDeadLetterQueue",
    }
    assert all(q["Properties"].get("SqsManagedSseEnabled") is True for q in queues.values())


def test_every_job_runs_on_the_queue_pattern():
    """Each job over all users or rows: a schedule calls its producer, which may send to its queue; one function
    computes the queue's messages one range at a time and reports failures per message; failures retry, then go to
    a dead-letter queue with an alarm; the queue outlasts the function's timeout."""
    from momentum import jobs

    template = tpl.load_template()
    resources = template["Resources"]
    wired = tpl.job_wiring(template)
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources_of("AWS::CloudWatch::Alarm", template).values()
        if alarm["Properties"].get("Namespace") == "AWS/SQS"
    }
    for name, job in jobs.all_jobs().items():
        wiring = wired[job.queue_setting.upper()]
        producer = resources[wiring.producer.function]["Properties"]
        assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [wiring.queue, "QueueName"]}}} in producer[
            "Policies"
        ], name
        consumer = resources[wiring.consumer.function]["Properties"]
        [event] = [e["Properties"] for e in consumer["Events"].values() if e["Type"] == "SQS"]
        assert event["BatchSize"] == 1 and event["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        assert wiring.dead_letter_queue in alarmed, name
        queue = resources[wiring.queue]["Properties"]
        assert queue["VisibilityTimeout"] >= consumer.get("Timeout", 3), name
        assert queue["RedrivePolicy"]["maxReceiveCount"] >= 2, name
        reserved = consumer["ReservedConcurrentExecutions"]["Fn::If"][1]
        assert reserved >= event["ScalingConfig"]["MaximumConcurrency"], name


def test_every_purge_runs_on_its_schedule_with_only_the_database():
    """A purge by age has no queue: its schedule calls its function, which may read the database secret and nothing
    else, runs one at a time, and has time for batches beyond one statement's timeout and the answer."""
    from momentum import jobs
    from momentum.config import Settings

    resources = tpl.load_template()["Resources"]
    purges = jobs.all_purges()
    assert set(purges) == {"rate-limit-purge"}
    for name, purge in purges.items():
        trigger = tpl.purge_trigger(purge.handler)
        assert trigger.module == "functions.scheduled.app" and trigger.every_seconds == 3600, name
        assert callable(getattr(importlib.import_module(trigger.module), trigger.callable_name)), name
        props = resources[trigger.function]["Properties"]
        assert props["Policies"] == [
            {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "DatabaseSecret"}}}
        ]
        assert "Environment" not in props, name  # no queue to name
        assert props["ReservedConcurrentExecutions"]["Fn::If"][1] == 1, name
        reserve = Settings().statement_timeout_ms / 1000 + 5
        assert trigger.timeout >= 4 * reserve, name
        assert {e["Type"] for e in props["Events"].values()} == {"Schedule"}, name


def test_the_upload_bucket_keeps_overwritten_audio_for_a_while():
    bucket = tpl.load_template()["Resources"]["UploadBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules.keys() == {"expire-previous-versions", "expire-account-exports"}
    assert all(rule["Status"] == "Enabled" for rule in rules.values())
    assert rules["expire-previous-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    # Account exports are personal data with a 15-minute link: they do not stay in the bucket.
    assert rules["expire-account-exports"]["Prefix"] == "exports/"
    assert rules["expire-account-exports"]["ExpirationInDays"] <= 2
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )


def test_every_function_reserves_concurrency_within_the_documented_connection_budget():
    template = tpl.load_template()
    reserved = {}
    for name, function in resources_of("AWS::Serverless::Function").items():
        condition, value, otherwise = function["Properties"]["ReservedConcurrentExecutions"]["Fn::If"]
        assert (condition, otherwise) == ("ReserveConcurrency", {"Ref": "AWS::NoValue"}), name
        reserved[name] = value
    budget = template["Parameters"]["ReservedConcurrency"]["Description"]
    assert f"their sum, {sum(reserved.values())}," in budget
    assert template["Parameters"]["ReservedConcurrency"]["Default"] == "on"
    # Aurora at its MaxCapacity (8 ACU, 16 GiB) allows about 1,700 connections; the proxy may use 90% of them.
    assert sum(reserved.values()) < 0.9 * 1700
    analysis = template["Resources"]["AnalyzeTrackFunction"]["Properties"]
    assert (
        reserved["AnalyzeTrackFunction"]
        >= analysis["Events"]["Uploads"]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    )
    assert reserved["MigrateFunction"] == 1
    batches = template["Resources"]["RecommendBatchFunction"]["Properties"]
    assert (
        reserved["RecommendBatchFunction"]
        >= batches["Events"]["Batches"]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    )


def test_the_api_writes_access_logs_and_tracing_is_on_by_default():
    template = tpl.load_template()
    api = template["Resources"]["Api"]["Properties"]
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    log_format = json.loads(api["AccessLogSetting"]["Format"])
    assert {"requestId", "status", "traceId", "resourcePath"} <= set(log_format)
    assert api["TracingEnabled"] == {"Fn::If": ["TracingOn", True, False]}
    assert template["Globals"]["Function"]["Tracing"] == {"Fn::If": ["TracingOn", "Active", "PassThrough"]}
    assert template["Parameters"]["Tracing"]["Default"] == "on"
    assert template["Conditions"]["TracingOn"] == {"Fn::Equals": [{"Ref": "Tracing"}, "on"]}


def test_functions_and_the_api_log_to_groups_with_a_retention():
    template = tpl.load_template()
    assert template["Globals"]["Function"]["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogGroup"}}
    groups = resources_of("AWS::Logs::LogGroup")
    assert set(groups) == {"FunctionLogGroup", "ApiAccessLogGroup"}
    assert all(g["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups.values())


def test_security_group_rules_say_what_they_allow():
    rules = [
        rule
        for group in resources_of("AWS::EC2::SecurityGroup").values()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
    ] + [r["Properties"] for r in resources_of("AWS::EC2::SecurityGroupIngress").values()]
    assert rules and all(rule.get("Description") for rule in rules)


def test_the_database_allows_iam_authentication_and_reports_os_metrics():
    resources = tpl.load_template()["Resources"]
    assert resources["DatabaseCluster"]["Properties"]["EnableIAMDatabaseAuthentication"] is True
    assert resources["DatabaseCluster"]["Properties"]["StorageEncrypted"] is True
    instance = resources["DatabaseInstance"]["Properties"]
    assert instance["MonitoringInterval"] == 60
    assert instance["MonitoringRoleArn"] == {"Fn::GetAtt": ["DatabaseMonitoringRole", "Arn"]}


def test_a_custom_resource_runs_the_migration_function_once_the_proxy_is_up():
    resources = tpl.load_template()["Resources"]
    migration = resources["DatabaseMigration"]
    assert migration["Type"] == "Custom::DatabaseMigration"
    assert migration["DependsOn"] == "DatabaseProxyTargetGroup"
    assert migration["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["MigrateFunction", "Arn"]}
    function = resources["MigrateFunction"]
    assert function["Metadata"]["BuildMethod"] == "makefile"
    assert (function["Properties"]["CodeUri"], function["Properties"]["Handler"]) == (
        "functions/migrate/",
        "app.handler",
    )
    assert function["Properties"]["Timeout"] == 900
    # CloudFormation gives up on a silent function before its default hour, but after the function's own timeout.
    assert function["Properties"]["Timeout"] < migration["Properties"]["ServiceTimeout"] < 3600


def test_new_code_is_deployed_only_after_the_migration():
    functions = resources_of("AWS::Serverless::Function")
    assert {name for name, f in functions.items() if f.get("DependsOn") != "DatabaseMigration"} == {"MigrateFunction"}


def test_a_new_migration_package_changes_the_custom_resource_so_it_runs_again(monkeypatch_module):
    # sam package names the code by its content hash; a new package publishes a new version, whose reference in
    # CodeVersion makes CloudFormation send Update to the custom resource.
    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")

    def code_version(code_uri: str) -> str:
        template = packaged(tpl.load_template())
        template["Resources"]["MigrateFunction"]["Properties"]["CodeUri"] = code_uri
        return translate(template)["Resources"]["DatabaseMigration"]["Properties"]["CodeVersion"]["Ref"]

    first = code_version("s3://artifacts/0f343b0931126a20f133d67c2b018a3b")
    assert first.startswith("MigrateFunctionVersion")
    assert code_version("s3://artifacts/0f343b0931126a20f133d67c2b018a3b") == first
    assert code_version("s3://artifacts/5d41402abc4b2a76b9719d911017c592") != first


def alarm(name: str) -> dict:
    return tpl.load_template()["Resources"][name]["Properties"]


def test_an_alarm_fires_when_the_dead_letter_queue_holds_a_message():
    props = alarm("DeadLetterQueueAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["AnalysisDeadLetterQueue", "QueueName"]}}
    ]
    assert (props["Threshold"], props["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_an_alarm_fires_when_a_recommendation_batch_is_dead_lettered():
    props = alarm("RecommendationsDeadLetterAlarm")
    assert props["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RecommendationsDeadLetterQueue", "QueueName"]}}
    ]
    assert (props["Threshold"], props["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    queue = tpl.load_template()["Resources"]["RecommendationsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["RecommendationsDeadLetterQueue", "Arn"]}


def test_an_alarm_fires_on_the_api_5xx_rate():
    props = alarm("Api5xxAlarm")
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("AWS/ApiGateway", "5XXError", "Average")
    api_name = tpl.load_template()["Resources"]["Api"]["Properties"]["Name"]
    assert {"Name": "ApiName", "Value": api_name} in props["Dimensions"]
    assert 0 < props["Threshold"] < 1


def test_the_analysis_failure_alarm_watches_the_metric_the_analysis_writes():
    from momentum import metrics

    props = alarm("AnalysisFailuresAlarm")
    assert (props["Namespace"], props["MetricName"]) == (metrics.NAMESPACE, "AnalysesFailed")
    assert props["Dimensions"] == [{"Name": "Function", "Value": metrics.ANALYSIS_FUNCTION}]


def test_an_alarm_fires_when_aurora_nears_its_maximum_capacity():
    props = alarm("DatabaseCapacityAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/RDS", "ACUUtilization")
    assert props["Dimensions"] == [{"Name": "DBClusterIdentifier", "Value": {"Ref": "DatabaseCluster"}}]
    assert 80 <= props["Threshold"] < 100


def test_every_alarm_notifies_the_alarm_topic():
    alarms = resources_of("AWS::CloudWatch::Alarm")
    assert len(alarms) == 6
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())


def test_every_security_scan_suppression_gives_its_reason():
    skips = [
        (name, skip)
        for name, resource in tpl.load_template()["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    assert all(skip["id"].startswith("CKV") and len(skip.get("comment", "")) > 40 for _, skip in skips), skips


def test_the_local_stack_finds_the_next_run_of_a_daily_cron_schedule():
    from datetime import UTC, datetime

    nightly = tpl.ScheduleTrigger("F", "functions/scheduled/", "app.f", "cron(30 3 * * ? *)")
    assert nightly.next_run(datetime(2026, 1, 1, 3, 29, 59, tzinfo=UTC)) == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)
    assert nightly.next_run(datetime(2026, 1, 1, 3, 30, tzinfo=UTC)) == datetime(2026, 1, 2, 3, 30, tzinfo=UTC)
    assert nightly.next_run(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == datetime(2027, 1, 1, 3, 30, tzinfo=UTC)
    quarterly = tpl.ScheduleTrigger("F", "functions/scheduled/", "app.f", "cron(0/15 8-9 ? * * *)")
    assert quarterly.next_run(datetime(2026, 1, 1, 8, 5, tzinfo=UTC)) == datetime(2026, 1, 1, 8, 15, tzinfo=UTC)
    assert quarterly.next_run(datetime(2026, 1, 1, 8, 50, tzinfo=UTC)) == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert quarterly.next_run(datetime(2026, 1, 1, 9, 45, tzinfo=UTC)) == datetime(2026, 1, 2, 8, 0, tzinfo=UTC)
    assert tpl.ScheduleTrigger("F", "f/", "app.f", "cron(0 12 ? * MON *)").next_run(datetime.now(UTC)) is None
    assert tpl.ScheduleTrigger("F", "f/", "app.f", "rate(5 minutes)").next_run(datetime.now(UTC)) is None
    assert {t.function for t in tpl.schedule_triggers() if t.next_run(datetime.now(UTC)) or t.every_seconds} == {
        t.function for t in tpl.schedule_triggers()
    }  # every schedule of the template runs locally
