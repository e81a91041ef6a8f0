// The texts this script writes into pages, in the page's language: base.html renders them
// as JSON by their English (#aurum-messages); a text it lacks is shown as written.
var MESSAGES = (function () {
  var el = document.getElementById("aurum-messages");
  return el ? JSON.parse(el.textContent) : {};
})();
function t(english) {
  return Object.prototype.hasOwnProperty.call(MESSAGES, english) ? MESSAGES[english] : english;
}

// Plotly's own texts (the modebar's tooltips, month and day names of date axes) in Chinese
// for a page in Chinese.
var PLOTLY_LOCALE = document.documentElement.lang === "zh-CN" ? "zh-CN" : "en";
if (PLOTLY_LOCALE === "zh-CN" && window.Plotly) {
  var MONTHS = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月",
                "12月"];
  Plotly.register({
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放",
      "Box Select": "矩形选择",
      "Lasso Select": "套索选择",
      "Compare data on hover": "悬停时比较数据",
      "Show closest data on hover": "悬停时显示最近的数据",
      "Toggle show closest data on hover": "切换悬停时显示最近的数据",
      "Toggle Spike Lines": "切换辅助线",
      "Download plot as a PNG": "下载图片（PNG）",
      "Download plot as JSON": "下载图表数据（JSON）",
      "Download plot": "下载图片",
      "Image download succeeded": "图片已下载",
      "JSON download succeeded": "图表数据已下载",
      "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
      "Snapshot succeeded": "图片已生成",
      "Sorry, there was a problem downloading your snapshot!": "图片下载失败",
      "Pan": "平移",
      "Zoom": "缩放",
      "Zoom in": "放大",
      "Zoom out": "缩小",
      "Reset axes": "重置坐标轴",
      "Reset view": "重置视图",
      "Reset views": "重置视图",
      "Reset camera to default": "相机恢复默认",
      "Reset camera to last save": "相机恢复上次保存",
      "Orbital rotation": "轨道旋转",
      "Turntable rotation": "转盘旋转",
      "Double-click to zoom back out": "双击恢复原始大小",
      "Draw line": "画线",
      "Draw rectangle": "画矩形",
      "Draw circle": "画圆",
      "Draw open freeform": "画开放曲线",
      "Draw closed freeform": "画闭合曲线",
      "Erase active shape": "删除选中图形",
      "trace": "数据系列",
      "max": "最大值",
      "min": "最小值",
      "mean": "平均值",
      "median": "中位数",
      "q1": "下四分位数",
      "q3": "上四分位数",
      "lower fence": "下限",
      "upper fence": "上限",
      "new text": "新文本"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: MONTHS,
      shortMonths: MONTHS,
      periods: ["上午", "下午"],
      dateTime: "%Y年%-m月%-d日 %X",
      date: "%Y-%m-%d",
      time: "%H:%M:%S",
      decimal: ".",
      thousands: ",",
      grouping: [3],
      currency: ["¥", ""],
      year: "%Y年",
      month: "%Y年%-m月",
      dayMonth: "%-m月%-d日",
      dayMonthYear: "%Y年%-m月%-d日"
    }
  });
}

// Draw every chart the page carries; figures come from the server as Plotly JSON.
document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
  var fig = JSON.parse(el.dataset.figure);
  Plotly.newPlot(el, fig.data, fig.layout,
                 {displaylogo: false, responsive: true, locale: PLOTLY_LOCALE})
    .then(function () { el.dataset.rendered = "1"; });
});

// A map whose figure asks for links (layout.meta.link, see api/charts/maps.py) opens the page
// of the province or site clicked: the path its point carries first in its customdata.
document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
  var meta = el.layout && el.layout.meta;
  if (!meta || !meta.link || !el.on) return;
  el.dataset.link = "1";
  el.on("plotly_click", function (ev) {
    var data = ev.points.length ? ev.points[0].customdata : null;
    var path = Array.isArray(data) ? data[0] : data;
    // Only a path on this site: "//host" would leave it.
    if (typeof path === "string" && /^\/[^\/]/.test(path)) window.location.assign(path);
  });
});

// A select that applies at once: a listener here, as the Content-Security-Policy refuses
// inline handlers (onchange=...).
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

// A job's panel: its progress bar, message and state as the job runs.
function showJob(panel, job) {
  panel.querySelector("progress").value = job.progress;
  panel.querySelector("[data-job-message]").textContent = job.message;
  panel.dataset.state = job.state;
}

// Follows job `id` in `panel` (progress, message, a cancel button) until it has ended, then
// calls ended(job).
function followJob(panel, id, ended) {
  var cancel = panel.querySelector("button[data-job-cancel]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var url = "/api/v1/jobs/" + id;
  cancel.hidden = false;
  cancel.disabled = false;
  cancel.onclick = function () {
    cancel.disabled = true;
    fetch(url, {method: "DELETE", credentials: "same-origin",
                headers: {"X-CSRF-Token": meta ? meta.content : ""}});
  };
  (function poll() {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        showJob(panel, job);
        if (job.state === "queued" || job.state === "running") {
          window.setTimeout(poll, 700);
        } else {
          cancel.hidden = true;
          ended(job);
        }
      });
  })();
}

// A refused job's problems at the fields of its form, as a refused page form shows them
// (templates/forms.html): the field marked aria-invalid, its problem beside it. `body` is the
// API's refusal: problems with a column (Aurum's checks) or FastAPI's list of errors with a
// loc. Returns the messages of the problems no field of the form holds.
function markFields(form, body) {
  form.querySelectorAll(".field-error[data-job-error]").forEach(function (note) {
    note.remove();
  });
  form.querySelectorAll("[aria-invalid]").forEach(function (field) {
    field.removeAttribute("aria-invalid");
  });
  var problems = Array.isArray(body.detail) ? body.detail.map(function (error) {
    return {column: error.loc[error.loc.length - 1], message: error.msg};
  }) : body.problems || [];
  var elsewhere = [];
  problems.forEach(function (problem) {
    var field = problem.column ? form.elements.namedItem(String(problem.column)) : null;
    if (!field || !field.insertAdjacentElement) {
      elsewhere.push(problem.message);
      return;
    }
    field.setAttribute("aria-invalid", "true");
    var note = document.createElement("span");
    note.className = "field-error";
    note.dataset.jobError = "";
    note.textContent = problem.message;
    field.insertAdjacentElement("afterend", note);
  });
  return elsewhere;
}

// A form marked data-job-kind runs as a background job (POST /api/v1/jobs): its filled
// fields, with the JSON of data-job-params, are the job's parameters. The form's
// [data-job-panel] shows the progress and offers a cancel button; when the job is done the
// page goes to the result's url.
document.querySelectorAll("form[data-job-kind]").forEach(function (form) {
  var panel = form.querySelector("[data-job-panel]");
  var cancel = panel.querySelector("button[data-job-cancel]");
  var submit = form.querySelector("button[type=submit]");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var headers = {"Content-Type": "application/json",
                 "X-CSRF-Token": meta ? meta.content : ""};

  function ended(job) {
    if (job.state === "done" && job.result && job.result.url) {
      window.location.assign(job.result.url);
    } else {
      submit.disabled = false;
    }
  }

  function refused(message) {
    showJob(panel, {progress: 0, state: "failed", message: message});
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
      // The csrf field is the no-JavaScript post's; a job is sent with the header instead.
      if (!input.name || input.name === "csrf" || input.type === "submit"
          || input.type === "button") { return; }
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
    showJob(panel, {progress: 0, state: "queued", message: t("sending")});
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
          var elsewhere = markFields(form, answer[1]);
          refused(typeof detail === "string" ? detail
                  : elsewhere.length ? elsewhere.join("; ") : JSON.stringify(detail));
          return;
        }
        markFields(form, {});
        showJob(panel, answer[1]);
        followJob(panel, answer[1].id, ended);
      })
      .catch(function (error) { refused(error.message); });
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
          row.querySelector("[data-cell=state]").textContent = t(job.state);
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
              link.textContent = t("result");
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
  var summary = panel.querySelector("[data-job-summary]");
  var problems = panel.querySelector("[data-job-problems]");

  followJob(panel, panel.dataset.jobFollow, function (job) {
    var result = job.result || {};
    if (result.summary) { summary.textContent = result.summary + " "; }
    if (job.state === "done" && result.url) {
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = t("See the result");
      summary.appendChild(link);
    }
    (result.problems || []).forEach(function (p) {
      var row = problems.tBodies[0].insertRow();
      [p.row, p.column, p.message].forEach(function (cell) {
        row.insertCell().textContent = cell === null || cell === undefined ? "" : cell;
      });
    });
    problems.hidden = !(result.problems || []).length;
  });
});
