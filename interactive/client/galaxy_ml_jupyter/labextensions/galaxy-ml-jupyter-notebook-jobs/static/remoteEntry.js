// A JupyterLab 4 plugin, written by hand as a prebuilt ("federated") extension so that it needs no
// build step: it shares no modules with JupyterLab and uses only the application object and the
// `apputils:notify` command. It polls jupyter-scheduler's job list (scheduler/jobs) and shows a
// notification when a notebook job ends: finished (where its files are), failed (Galaxy's message,
// which names the cell and line), or stopped. Jobs that had already ended when the page opened stay quiet.
(function () {
  "use strict";
  var NAME = "galaxy-ml-jupyter-notebook-jobs";
  var POLL_MS = 5000;
  var ENDED = { COMPLETED: "success", FAILED: "error", STOPPED: "info" };

  function folderName(name) {
    var cleaned = name.replace(/[^A-Za-z0-9._ -]+/g, "_").replace(/^[ .]+|[ .]+$/g, "");
    return cleaned || "job";
  }

  function message(job) {
    if (job.status === "COMPLETED") {
      return "Notebook job \u201c" + job.name + "\u201d finished: files in jobs/" + folderName(job.name) + "/";
    }
    if (job.status === "FAILED") {
      return "Notebook job \u201c" + job.name + "\u201d failed: " + (job.status_message || "no message");
    }
    return "Notebook job \u201c" + job.name + "\u201d was stopped";
  }

  function activate(app) {
    var settings = app.serviceManager.serverSettings;
    var url = settings.baseUrl + "scheduler/jobs?max_items=1000";
    var seen = null;  // job_id -> status at the previous poll; null before the first one

    function poll() {
      var headers = settings.token ? { Authorization: "token " + settings.token } : {};
      return fetch(url, { credentials: "same-origin", headers: headers })
        .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
        .then(function (answer) {
          var now = {};
          (answer.jobs || []).forEach(function (job) {
            now[job.job_id] = job.status;
            var before = seen === null ? job.status : seen[job.job_id];
            if (ENDED[job.status] && before !== job.status) {
              app.commands.execute("apputils:notify", {
                message: message(job),
                type: ENDED[job.status],
                options: { autoClose: false }
              });
            }
          });
          seen = now;
        })
        .catch(function () { /* the server is restarting: try again at the next poll */ })
        .then(function () { window.setTimeout(poll, POLL_MS); });
    }
    poll();
  }

  var plugin = {
    id: NAME + ":notify",
    description: "Notifies when a notebook job ends",
    autoStart: true,
    activate: activate
  };

  var containers = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  containers[NAME] = {
    init: function () { return Promise.resolve(); },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + " has no module " + module));
      }
      return Promise.resolve(function () { return { __esModule: true, "default": [plugin] }; });
    }
  };
})();
