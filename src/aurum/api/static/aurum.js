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

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = JSON.parse(form.dataset.jobParams || "{}");
    new FormData(form).forEach(function (value, key) {
      if (value === "") { return; }
      var input = form.elements[key];
      params[key] = input && input.type === "number" ? Number(value) : value;
    });
    submit.disabled = true;
    panel.hidden = false;
    cancel.hidden = false;
    fetch("/api/v1/jobs", {method: "POST", credentials: "same-origin", headers: headers,
                           body: JSON.stringify({kind: form.dataset.jobKind, params: params})})
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (answer) {
        if (!answer[0]) {
          show({progress: 0, state: "failed", message: answer[1].detail});
          submit.disabled = false;
          cancel.hidden = true;
          return;
        }
        job = answer[1].id;
        show(answer[1]);
        follow();
      });
  });

  cancel.addEventListener("click", function () {
    if (job === null) { return; }
    fetch("/api/v1/jobs/" + job, {method: "DELETE", credentials: "same-origin",
                                  headers: headers});
  });

  // A page whose result is not computed yet starts its job at once.
  if (panel.hasAttribute("data-job-autostart")) { form.requestSubmit(); }
});
