"""Fit inputs remembered from the user's import of scikit-learn on: DataFrames kept as DataFrames, calls
never override a fit, the runner's own calls not remembered, clones forgotten when they are gone."""
from __future__ import annotations

import json


def test_fits_are_remembered_in_the_form_they_took(run_python):
    out = run_python(
        "import gc, json\n"
        "from notebook_job.run.fit_inputs import fitted_on, paused, watch_fit_inputs, _SEEN\n"
        "watch_fit_inputs()\n"
        "import numpy as np, pandas as pd\n"
        "from sklearn.linear_model import LinearRegression\n"
        "from sklearn.model_selection import GridSearchCV\n"
        "frame = pd.DataFrame({'a': np.arange(50.0), 'b': np.arange(50.0) ** 2})\n"
        "model = LinearRegression().fit(frame, frame.a * 2)\n"
        "model.predict(np.zeros((3, 2)))  # a call after the fit does not replace the fit's rows\n"
        "rows, data = fitted_on(model)\n"
        "called = LinearRegression()\n"
        "called.coef_, called.intercept_, called.n_features_in_ = np.ones(2), 0.0, 2\n"
        "called.predict(np.ones((40, 2)))\n"
        "with paused():\n"
        "    LinearRegression().fit(np.ones((5, 2)), np.ones(5))\n"
        "search = GridSearchCV(LinearRegression(), {'fit_intercept': [True, False]}, cv=3).fit(frame, frame.a)\n"
        "del search\n"
        "gc.collect()\n"
        "print(json.dumps({'type': type(rows).__name__, 'columns': list(rows.columns), 'rows': len(rows),\n"
        "                  'same_object': data is frame, 'called': fitted_on(called)[0].shape[0],\n"
        "                  'remembered': len(_SEEN)}))\n")
    assert json.loads(out.splitlines()[-1]) == {"type": "DataFrame", "columns": ["a", "b"], "rows": 32,
                                                "same_object": True, "called": 32, "remembered": 2}
