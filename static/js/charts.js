// Dashboard charts (Chart.js, loaded before this file). Each <canvas data-chart="ID"> draws the
// JSON in <script type="application/json" id="ID"> (Django's json_script): the same numbers as
// the table beside it, which is what screen readers and printouts rely on. No inline script,
// so the Content Security Policy holds.
(function () {
  'use strict'

  function draw (canvas) {
    var source = document.getElementById(canvas.getAttribute('data-chart'))
    if (!source || typeof window.Chart === 'undefined') return
    var spec = JSON.parse(source.textContent)
    var horizontal = Boolean(spec.horizontal)
    var valueAxis = {
      beginAtZero: true,
      stacked: Boolean(spec.stacked),
      title: { display: true, text: spec.axis },
      ticks: { precision: 0 }
    }
    var labelAxis = { stacked: Boolean(spec.stacked) }
    if (horizontal) {
      canvas.parentNode.classList.add('hw-chart--rows-' + Math.min(spec.labels.length, 20))
    }
    return new window.Chart(canvas, {
      type: spec.type || 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: series.colour,
            borderColor: series.colour,
            borderWidth: 1
          }
        })
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom' } },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
      }
    })
  }

  var charts = []
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var chart = draw(canvas)
    if (chart) charts.push(chart)
  })
  // Redraw at the paper's width before printing, and back after.
  window.addEventListener('beforeprint', function () {
    charts.forEach(function (chart) { chart.resize() })
  })
  window.addEventListener('afterprint', function () {
    charts.forEach(function (chart) { chart.resize() })
  })
})()
