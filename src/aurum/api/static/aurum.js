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
