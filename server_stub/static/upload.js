/* Owner upload page: sends the chosen files with tus, shows progress, resumes after drops and reloads. */
(function () {
  "use strict";

  var box = document.getElementById("uploader");
  if (!box) return;
  var input = document.getElementById("files");
  var start = document.getElementById("start");
  var list = document.getElementById("progress");
  var status = document.getElementById("status");
  var endpoint = box.getAttribute("data-endpoint");
  var maxSize = Number(box.getAttribute("data-max-size"));
  var chunkSize = Number(box.getAttribute("data-chunk-size"));
  // Generous: a phone walking out of coverage should pause, not fail.
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
  var items = [];

  if (!window.tus || !window.tus.isSupported) {
    status.textContent = "This browser cannot send large files safely. Please try another " +
      "browser, or call the number below.";
    status.className = "error";
    return;
  }
  start.disabled = false;

  function human(bytes) {
    var units = ["bytes", "KB", "MB", "GB"];
    var size = bytes;
    for (var i = 0; i < units.length; i++) {
      if (size < 1024 || i === units.length - 1) {
        return i === 0 ? size + " bytes" : size.toFixed(1) + " " + units[i];
      }
      size /= 1024;
    }
    return bytes + " bytes";
  }

  function serverMessage(err) {
    var response = err && err.originalResponse;
    if (!response) return "";
    try {
      var detail = JSON.parse(response.getBody()).detail;
      return typeof detail === "string" ? detail : "";
    } catch (e) {
      return "";
    }
  }

  function makeRow(file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    var state = document.createElement("div");
    state.className = "state";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(state);
    list.appendChild(li);
    return { li: li, bar: bar, state: state };
  }

  function show(item, kind, text) {
    item.kind = kind;
    item.row.li.className = kind;
    item.row.state.textContent = text;
    var old = item.row.li.querySelector("button");
    if (old) old.remove();
    if (kind === "paused" || kind === "failed") {
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "secondary";
      retry.textContent = "Try again";
      retry.addEventListener("click", function () { resume(item); });
      item.row.li.appendChild(retry);
    }
    summarise();
  }

  function summarise() {
    var busy = items.filter(function (i) { return i.kind === "sending" || i.kind === "paused"; });
    var done = items.filter(function (i) { return i.kind === "done"; });
    var failed = items.filter(function (i) { return i.kind === "failed"; });
    if (busy.length) {
      status.textContent = "Sending " + busy.length + " file(s). Please keep this page open.";
    } else if (items.length && !failed.length) {
      status.textContent = "Thank you: " + done.length + " file(s) received.";
      // Show the server's list of files, with what it made of each one.
      window.setTimeout(function () { window.location.reload(); }, 2500);
    } else if (failed.length) {
      status.textContent = done.length + " file(s) received, " + failed.length + " not sent.";
    }
  }

  function resume(item) {
    show(item, "sending", "Reconnecting…");
    item.upload.start();
  }

  function begin(file) {
    var item = { kind: "new", row: makeRow(file) };
    items.push(item);
    if (file.size > maxSize) {
      show(item, "failed", "Too large: each file may be at most " + human(maxSize) + ".");
      return;
    }
    if (file.size === 0) {
      show(item, "failed", "This file is empty.");
      return;
    }
    item.upload = new window.tus.Upload(file, {
      endpoint: endpoint,
      chunkSize: chunkSize,
      retryDelays: RETRY_DELAYS,
      // The upload URL is kept per file fingerprint in localStorage, so choosing the same
      // file after a reload (or a crash of the browser) continues instead of starting over.
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      onProgress: function (sent, total) {
        item.row.bar.max = total;
        item.row.bar.value = sent;
        var percent = total ? Math.floor(sent * 100 / total) : 0;
        item.row.state.textContent = percent + "%: " + human(sent) + " of " + human(total);
      },
      onSuccess: function () {
        item.row.bar.value = item.row.bar.max;
        show(item, "done", "Received.");
      },
      onError: function (err) {
        var response = err && err.originalResponse;
        var code = response ? response.getStatus() : 0;
        if (code === 410) {
          show(item, "failed", "This link is no longer valid. Please call the number below.");
        } else if (code >= 400 && code < 500 && code !== 409 && code !== 423) {
          show(item, "failed", serverMessage(err) || "The server refused this file.");
        } else {
          show(item, "paused", "Connection lost. The upload continues when it comes back.");
        }
      }
    });
    show(item, "sending", "Starting…");
    item.upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        item.upload.resumeFromPreviousUpload(previous[0]);
        item.row.state.textContent = "Continuing where it stopped…";
      }
      item.upload.start();
    });
  }

  start.addEventListener("click", function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) {
      status.textContent = "Choose one or more files first.";
      return;
    }
    files.forEach(begin);
    input.value = "";
  });

  function resumePaused() {
    items.forEach(function (item) {
      if (item.kind === "paused") resume(item);
    });
  }
  window.addEventListener("online", resumePaused);
  // The "online" event does not fire when the network was up but the server was not.
  window.setInterval(function () { if (navigator.onLine) resumePaused(); }, 30000);

  window.addEventListener("beforeunload", function (event) {
    var busy = items.some(function (i) { return i.kind === "sending"; });
    if (busy) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
