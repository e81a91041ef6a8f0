// Draw every chart the page carries; figures come from the server as Plotly JSON.
document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
  var fig = JSON.parse(el.dataset.figure);
  Plotly.newPlot(el, fig.data, fig.layout, {displaylogo: false, responsive: true})
    .then(function () { el.dataset.rendered = "1"; });
});

// A select that applies at once: a listener here, as the Content-Security-Policy refuses
// inline handlers (onchange=...).
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

// A form marked data-job-kind runs as a background job (POST /api/v1/jobs): its filled
// fields, with the JSON of data-job-params, are the job's parameters. The form's
// [data-job-panel] shows the progress and offers a cancel button; when the job is done the
// page goes to the result's url.
document.querySelectorAll("form[data-job-kind]").forEach(function (form) {
  var panel = form.querySelector("[data-job-panel]");
  var bar = panel.querySelector("progress");
  var message = panel.querySelector("[data-job-message]");
  var cancel = panel.querySelector("button[data-job-cancel]");
  var submit = form.querySelector("button[type=submit]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var headers = {"Content-Type": "application/json",
                 "X-CSRF-Token": meta ? meta.content : ""};
  var job = null;

  function show(state) {
    bar.value = state.progress;
    message.textContent = state.message;
    panel.dataset.state = state.state;
  }

  function follow() {
    fetch("/api/v1/jobs/" + job, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        show(state);
        if (state.state === "done" && state.result && state.result.url) {
          window.location.assign(state.result.url);
        } else if (state.state === "queued" || state.state === "running") {
          window.setTimeout(follow, 700);
        } else {
          submit.disabled = false;
          cancel.hidden = true;
        }
      });
  }

  function refused(message) {
    show({progress: 0, state: "failed", message: message});
    submit.disabled = false;
    cancel.hidden = true;
  }

  // A file is sent first (POST /api/v1/jobs/inputs); the job names it {digest, name}.
  function kept(file) {
    var body = new FormData();
    body.append("file", file, file.name);
    return fetch("/api/v1/jobs/inputs", {method: "POST", credentials: "same-origin",
                                         headers: {"X-CSRF-Token": headers["X-CSRF-Token"]},
                                         body: body})
      .then(function (r) {
        return r.json().then(function (answer) {
          if (!r.ok) { throw new Error(file.name + ": " + answer.detail); }
          return {digest: answer.digest, name: file.name};
        });
      });
  }

  function parameters() {
    var params = JSON.parse(form.dataset.jobParams || "{}");
    var sent = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "submit" || input.type === "button") { return; }
      if (input.type === "file") {
        var files = Array.prototype.slice.call(input.files);
        if (!files.length) { return; }
        sent.push(Promise.all(files.map(kept)).then(function (named) {
          params[input.name] = input.multiple ? named : named[0];
        }));
      } else if (input.value !== "") {
        params[input.name] = input.type === "number" ? Number(input.value)
          : input.dataset.json !== undefined ? JSON.parse(input.value) : input.value;
      }
    });
    return Promise.all(sent).then(function () { return params; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;
    panel.hidden = false;
    cancel.hidden = false;
    show({progress: 0, state: "queued", message: "sending"});
    parameters()
      .then(function (params) {
        return fetch("/api/v1/jobs", {method: "POST", credentials: "same-origin",
                                      headers: headers,
                                      body: JSON.stringify({kind: form.dataset.jobKind,
                                                            params: params})});
      })
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (answer) {
        if (!answer[0]) {
          var detail = answer[1].detail;
          refused(typeof detail === "string" ? detail : JSON.stringify(detail));
          return;
        }
        job = answer[1].id;
        show(answer[1]);
        follow();
      })
      .catch(function (error) { refused(error.message); });
  });

  cancel.addEventListener("click", function () {
    if (job === null) { return; }
    fetch("/api/v1/jobs/" + job, {method: "DELETE", credentials: "same-origin",
                                  headers: headers});
  });

  // A page whose result is not computed yet starts its job at once.
  if (panel.hasAttribute("data-job-autostart")) { form.requestSubmit(); }
});

// The jobs page: a cancel button per running job, and the table kept current while any
// job runs.
document.querySelectorAll("button[data-cancel-job]").forEach(function (button) {
  button.addEventListener("click", function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    fetch("/api/v1/jobs/" + button.dataset.cancelJob,
          {method: "DELETE", credentials: "same-origin",
           headers: {"X-CSRF-Token": meta ? meta.content : ""}})
      .then(function () { button.disabled = true; });
  });
});
// Rows are updated in place (not by reloading, which would drop what the forms hold).
(function () {
  var table = document.querySelector("table[data-jobs-active]");
  if (!table) { return; }
  function poll() {
    fetch("/api/v1/jobs", {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (jobs) {
        var active = false;
        jobs.forEach(function (job) {
          var row = table.querySelector('tr[data-job-id="' + job.id + '"]');
          if (!row) { return; }
          row.dataset.state = job.state;
          row.querySelector("[data-cell=state]").textContent = job.state;
          row.querySelector("progress").value = job.progress;
          row.querySelector("[data-cell=message]").textContent = job.message;
          if (job.state === "queued" || job.state === "running") {
            active = true;
          } else {
            var cancel = row.querySelector("button[data-cancel-job]");
            if (cancel) { cancel.remove(); }
            if (job.state === "done" && job.result && job.result.url) {
              var link = document.createElement("a");
              link.href = job.result.url;
              link.textContent = "result";
              row.querySelector("[data-cell=result]").replaceChildren(link);
            }
          }
        });
        if (active) { window.setTimeout(poll, 2000); }
      });
  }
  window.setTimeout(poll, 2000);
})();

// A job the server queued for the page (a large report file): its panel follows it with a
// cancel button, and shows how it ended — the result's summary and page, or the problems of
// a refused file.
document.querySelectorAll("[data-job-follow]").forEach(function (panel) {
  var bar = panel.querySelector("progress");
  var message = panel.querySelector("[data-job-message]");
  var cancel = panel.querySelector("button[data-job-cancel]");
  var summary = panel.querySelector("[data-job-summary]");
  var problems = panel.querySelector("[data-job-problems]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var url = "/api/v1/jobs/" + panel.dataset.jobFollow;

  function ended(job) {
    cancel.hidden = true;
    var result = job.result || {};
    if (result.summary) { summary.textContent = result.summary + " "; }
    if (job.state === "done" && result.url) {
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = "See the result";
      summary.appendChild(link);
    }
    (result.problems || []).forEach(function (p) {
      var row = problems.tBodies[0].insertRow();
      [p.row, p.column, p.message].forEach(function (cell) {
        row.insertCell().textContent = cell === null || cell === undefined ? "" : cell;
      });
    });
    problems.hidden = !(result.problems || []).length;
  }

  function poll() {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.progress;
        message.textContent = job.message;
        panel.dataset.state = job.state;
        if (job.state === "queued" || job.state === "running") {
          window.setTimeout(poll, 700);
        } else {
          ended(job);
        }
      });
  }

  cancel.addEventListener("click", function () {
    cancel.disabled = true;
    fetch(url, {method: "DELETE", credentials: "same-origin",
                headers: {"X-CSRF-Token": meta ? meta.content : ""}});
  });
  poll();
});
