// The page's only script: send a form, follow its job, show the result; drag and drop;
// tap a marked cell to read its message.  Plain JavaScript, no libraries, no network
// beyond this server.
"use strict";

function csrfToken(form) {
  var input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function showError(box, text) {
  box.textContent = "";
  var div = document.createElement("div");
  div.className = "message error";
  div.setAttribute("role", "alert");
  div.setAttribute("data-refused", "");
  div.textContent = "错误：" + text;
  box.appendChild(div);
}

function follow(form, box, jobId) {
  var bar = form.querySelector("[data-progress]");
  var meter = bar.querySelector("progress");
  var stage = bar.querySelector("[data-stage]");
  function poll() {
    fetch("/jobs/" + encodeURIComponent(jobId), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("页面已过期，请刷新页面后重试。"); } return r.json(); })
      .then(function (s) {
        meter.max = s.total; meter.value = s.done;
        stage.textContent = s.stage + (s.total > 1 ? "（" + Math.min(s.done + 1, s.total) + "/" + s.total + "）" : "");
        if (s.state === "done") {
          bar.hidden = true;
          form.querySelector("button[type=submit]").disabled = false;
          box.innerHTML = s.html;  // rendered by the server's templates, escaped there
          box.setAttribute("data-state", s.ok ? "ok" : "refused");
          box.scrollIntoView({block: "nearest"});
        } else {
          setTimeout(poll, 300);
        }
      })
      .catch(function (e) { bar.hidden = true; form.querySelector("button[type=submit]").disabled = false; showError(box, e.message); });
  }
  poll();
}

function send(form) {
  var box = form.parentNode.querySelector("[data-result]");
  var bar = form.querySelector("[data-progress]");
  box.textContent = "";
  box.removeAttribute("data-state");
  bar.hidden = false;
  bar.querySelector("progress").value = 0;
  bar.querySelector("[data-stage]").textContent = "正在上传";
  form.querySelector("button[type=submit]").disabled = true;
  fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                      headers: {"X-CSRFToken": csrfToken(form)}})
    .then(function (r) { return r.json().catch(function () { return {error: "服务器没有返回结果（" + r.status + "），请刷新页面后重试。"}; }); })
    .then(function (answer) {
      if (answer.error) { throw new Error(answer.error); }
      follow(form, box, answer.job);
    })
    .catch(function (e) { bar.hidden = true; form.querySelector("button[type=submit]").disabled = false; showError(box, e.message); });
}

function setupDrop(zone) {
  var input = zone.querySelector("input[type=file]");
  var name = zone.querySelector("[data-name]");
  function shown() { name.textContent = input.files.length ? "已选择：" + input.files[0].name : ""; }
  input.addEventListener("change", shown);
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; shown(); }
  });
}

function setupPopup() {
  var popup = document.getElementById("popup");
  function hide() { popup.hidden = true; }
  document.addEventListener("click", function (e) {
    var cell = e.target.closest ? e.target.closest("[data-problem]") : null;
    if (!cell) { hide(); return; }
    popup.textContent = cell.getAttribute("data-problem");
    popup.hidden = false;
    var r = cell.getBoundingClientRect();
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 8));
    popup.style.left = left + "px";
    popup.style.top = (r.bottom + window.scrollY + 6) + "px";
  });
  window.addEventListener("resize", hide);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { hide(); }
    if (e.key === "Enter" && e.target.hasAttribute && e.target.hasAttribute("data-problem")) { e.target.click(); }
  });
}

document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("form[data-job]"), function (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); send(form); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-drop]"), setupDrop);
  setupPopup();
});
