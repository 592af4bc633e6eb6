"""Every pydantic model of the layer has a name of its own: the OpenAPI document names schemas after classes, and two
classes of one name become module-qualified schema names that client generators cannot resolve."""

import importlib
import inspect
import pkgutil
from collections import defaultdict

import momentum
from pydantic import BaseModel


def test_model_class_names_are_unique_across_the_layer():
    modules_by_name: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.walk_packages(momentum.__path__, "momentum."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                modules_by_name[value.__name__].add(module.__name__)
    assert {name: mods for name, mods in modules_by_name.items() if len(mods) > 1} == {}
