"""Read template.yaml, the single map of what runs where: the local stack and the tests take routes from it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from momentum_infra import REPO_ROOT

TEMPLATE = REPO_ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt …) read as their long JSON forms."""


def _tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return {name: value.split(".", 1) if suffix == "GetAtt" else value}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    assert isinstance(node, yaml.MappingNode)  # YAML has no fourth kind of node
    return {name: loader.construct_mapping(node, deep=True)}


_CfnLoader.add_multi_constructor("!", _tag)


@cache
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    template: dict[str, Any] = yaml.load(path.read_text(), Loader=_CfnLoader)
    return template


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    function: str  # logical id in the template
    code_uri: str

    @property
    def module(self) -> str:
        return handler_module(self.code_uri)


@dataclass(frozen=True)
class QueueTrigger:
    function: str
    code_uri: str
    queue: str  # logical id of the SQS queue
    handler: str  # "<file>.<callable>", as in the template (Globals give app.app)
    batch_size: int

    @property
    def module(self) -> str:
        return handler_module(self.code_uri, self.handler)

    @property
    def callable_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def handler_module(code_uri: str, handler: str = "app.app") -> str:
    """The importable module of a function's handler: functions/auth/ -> functions.auth.app."""
    return ".".join(Path(code_uri).parts) + "." + handler.rsplit(".", 1)[0]


def _functions(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            yield logical_id, resource["Properties"]


def api_routes(template: dict[str, Any] | None = None) -> list[ApiRoute]:
    template = template or load_template()
    return [
        ApiRoute(event["Properties"]["Method"].upper(), event["Properties"]["Path"], logical_id, props["CodeUri"])
        for logical_id, props in _functions(template)
        for event in (props.get("Events") or {}).values()
        if event["Type"] == "Api"
    ]


def queue_triggers(template: dict[str, Any] | None = None) -> list[QueueTrigger]:
    template = template or load_template()
    default_handler = template.get("Globals", {}).get("Function", {}).get("Handler", "app.app")
    return [
        QueueTrigger(
            logical_id,
            props["CodeUri"],
            event["Properties"]["Queue"]["Fn::GetAtt"][0],
            props.get("Handler", default_handler),
            event["Properties"].get("BatchSize", 10),
        )
        for logical_id, props in _functions(template)
        for event in (props.get("Events") or {}).values()
        if event["Type"] == "SQS"
    ]


@dataclass(frozen=True)
class ScheduleTrigger:
    function: str
    code_uri: str
    handler: str
    expression: str  # "rate(5 minutes)" or "cron(...)"
    timeout: int = 3  # seconds (the function's Timeout, else the Globals', else Lambda's default)

    @property
    def module(self) -> str:
        return handler_module(self.code_uri, self.handler)

    @property
    def callable_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @property
    def every_seconds(self) -> int | None:
        """The period of a ``rate(...)`` schedule, None for a cron expression."""
        match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", self.expression)
        if not match:
            return None
        unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
        return int(match.group(1)) * unit

    def next_run(self, after: datetime) -> datetime | None:
        """The first time after ``after`` (UTC) a ``cron(...)`` schedule fires, for the minute and hour fields of
        EventBridge's syntax (numbers, lists, ranges, ``*`` and ``*/n``) with every day; None for a ``rate(...)``
        schedule or a cron expression that picks days."""
        match = re.fullmatch(r"cron\((\S+) (\S+) [*?] \* [*?] \*\)", self.expression)
        if not match:
            return None
        minutes, hours = _cron_field(match.group(1), 60), _cron_field(match.group(2), 24)
        start = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for day in range(2):
            base = start.replace(hour=0, minute=0) + timedelta(days=day)
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    candidate = base.replace(hour=hour, minute=minute)
                    if candidate >= start:
                        return candidate
        return None


def _cron_field(field: str, size: int) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, every = part.split("/")
            step = int(every)
        if part == "*":
            first, last = 0, size - 1
        elif "-" in part:
            first, last = (int(v) for v in part.split("-"))
        else:
            first = int(part)
            last = size - 1 if step > 1 else first  # "5/15": from 5, every 15
        values.update(range(first, last + 1, step))
    return values


def schedule_triggers(template: dict[str, Any] | None = None) -> list[ScheduleTrigger]:
    template = template or load_template()
    defaults = template.get("Globals", {}).get("Function", {})
    return [
        ScheduleTrigger(
            logical_id,
            props["CodeUri"],
            props.get("Handler", defaults.get("Handler", "app.app")),
            event["Properties"]["Schedule"],
            props.get("Timeout", defaults.get("Timeout", 3)),
        )
        for logical_id, props in _functions(template)
        for event in (props.get("Events") or {}).values()
        if event["Type"] == "Schedule"
    ]


def purge_trigger(handler: str, template: dict[str, Any] | None = None) -> ScheduleTrigger:
    """The schedule of the purge whose function's handler is ``handler`` (``momentum.jobs.Purge.handler``).

    Raises: LookupError when no scheduled function, or more than one, has that handler."""
    found = [trigger for trigger in schedule_triggers(template) if trigger.callable_name == handler]
    if len(found) != 1:
        raise LookupError(f"{len(found)} scheduled functions have the handler {handler!r}; expected one")
    return found[0]


@dataclass(frozen=True)
class JobWiring:
    """A job over all rows as the template runs it: a schedule calls the producer, which fills ``queue`` (the
    producer's environment variable ``queue_variable`` holds its URL); ``consumer`` computes the queue's messages,
    and those that keep failing go to ``dead_letter_queue``."""

    producer: ScheduleTrigger
    queue_variable: str
    queue: str
    dead_letter_queue: str | None
    consumer: QueueTrigger


def job_wiring(template: dict[str, Any] | None = None) -> dict[str, JobWiring]:
    """Queue-URL environment variable -> the job it wires, for every scheduled function that fills a queue."""
    template = template or load_template()
    resources = template["Resources"]
    consumers = {trigger.queue: trigger for trigger in queue_triggers(template)}
    wired = {}
    for producer in schedule_triggers(template):
        variables = (resources[producer.function]["Properties"].get("Environment") or {}).get("Variables", {})
        for name, value in variables.items():
            queue = value.get("Ref") if isinstance(value, dict) else None
            if queue not in consumers:
                continue
            redrive = resources[queue]["Properties"].get("RedrivePolicy")
            dead_letters = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] if redrive else None
            wired[name] = JobWiring(producer, name, queue, dead_letters, consumers[queue])
    return wired


def function_modules(template: dict[str, Any] | None = None) -> dict[str, str]:
    """Logical id -> handler module for every function in the template."""
    template = template or load_template()
    default_handler = template.get("Globals", {}).get("Function", {}).get("Handler", "app.app")
    return {
        logical_id: handler_module(props["CodeUri"], props.get("Handler", default_handler))
        for logical_id, props in _functions(template)
    }
