// "Print this page" links (data-print), and pages that open the print dialogue as they load
// (data-print-on-load on <main>: the police pack's print address, which is logged).
(function () {
  'use strict'
  document.querySelectorAll('[data-print]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault()
      window.print()
    })
  })
  if (document.querySelector('[data-print-on-load]')) {
    window.addEventListener('load', function () { window.print() })
  }
})()
