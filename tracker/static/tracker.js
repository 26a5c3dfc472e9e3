/* The app's only script: behaviours declared by data- attributes, so no page carries inline script.
 *
 * data-confirm="确定…？"         on a form or a submit button: ask before submitting.
 * data-count="CSS selector"      on a form: count the matching elements first; with none, show
 * data-count-empty="请先勾选…"    and do not submit; "{n}" in data-confirm becomes the count.
 * data-print                     on a button: print the page.
 * data-switch                    on a select inside a [data-switch-scope]: the scope's elements with
 * data-shown-for="a b"           are shown only while the select's value is one of the listed values.
 * data-check-all="CSS selector"  on a checkbox: tick or clear every matching checkbox with it; it
 *                                follows them (ticked when all are, half-ticked when some are).
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    var selector = form.getAttribute("data-count");
    if (selector) {
      var n = form.ownerDocument.querySelectorAll(selector).length;
      if (n === 0) {
        event.preventDefault();
        window.alert(form.getAttribute("data-count-empty") || "请先选择。");
        return;
      }
      if (question) {
        question = question.split("{n}").join(String(n));
      }
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function applySwitch(select) {
    var scope = select.closest("[data-switch-scope]");
    if (!scope) {
      return;
    }
    scope.querySelectorAll("[data-shown-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-shown-for").split(" ").indexOf(select.value) < 0;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-switch]")) {
      applySwitch(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-switch]").forEach(applySwitch);
  });

  function checkAllBoxes() {
    return document.querySelectorAll("[data-check-all]");
  }

  function syncCheckAll(master) {
    var boxes = document.querySelectorAll(master.getAttribute("data-check-all"));
    var ticked = 0;
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) { ticked++; }
    }
    master.checked = boxes.length > 0 && ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var selector = target.getAttribute && target.getAttribute("data-check-all");
    if (selector) {
      var boxes = document.querySelectorAll(selector);
      for (var i = 0; i < boxes.length; i++) {
        boxes[i].checked = target.checked;
      }
      target.indeterminate = false;
      return;
    }
    var masters = checkAllBoxes();
    for (var j = 0; j < masters.length; j++) {
      if (target.matches && target.matches(masters[j].getAttribute("data-check-all"))) {
        syncCheckAll(masters[j]);
      }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
