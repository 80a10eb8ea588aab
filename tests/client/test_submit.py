"""The form run_jupyter_job gets from submit(): inputs under the names the code opens, typed parameters."""
from __future__ import annotations

import json

from remote_training.submit import tool_inputs


def test_inputs_are_named_and_parameters_typed():
    fields = tool_inputs("code1", {"train.h5": "d1", "checkpoint.weights.h5": "d2"},
                         {"epochs": 5, "rate": 0.01, "label": "run a", "shuffle": False, "sizes": [16, 32]},
                         time_limit_minutes=1.5, save=["accuracy", "history"], seed=7, executed_notebook=True)
    assert fields["code"] == {"src": "hda", "id": "code1"}
    assert (fields["named_inputs_0|name"], fields["named_inputs_0|dataset"]) == ("train.h5", {"src": "hda", "id": "d1"})
    assert fields["named_inputs_1|name"] == "checkpoint.weights.h5"
    typed = [(fields[f"parameters_repeat_{i}|name"], fields[f"parameters_repeat_{i}|value_type|type"],
              fields[f"parameters_repeat_{i}|value_type|value"]) for i in range(5)]
    assert typed == [("epochs", "int", 5), ("rate", "float", 0.01), ("label", "text", "run a"),
                     ("shuffle", "boolean", False), ("sizes", "json", json.dumps([16, 32]))]
    assert (fields["advanced|time_limit"], fields["advanced|save"], fields["advanced|seed"],
            fields["advanced|extra_outputs"]) == (1.5, "accuracy,history", 7, "notebook")


def test_no_executed_notebook_unless_asked():
    assert "advanced|extra_outputs" not in tool_inputs("c", {}, {}, 0, [], 0, executed_notebook=False)
