// vidkit share page: watch-through beacons and the share buttons. No cookies, no storage.
// The page carries a signed per-view token (data-view): beacons and share buttons send it, so
// only a real page view can report plays or mint a child link for a share button.
(function () {
  "use strict";
  var video = document.getElementById("player");
  var view = video ? video.getAttribute("data-view") || "" : "";
  var withView = function (url) { return url.split("?")[0] + "?v=" + encodeURIComponent(view); };
  if (video) {
    var url = withView(video.getAttribute("data-beacon"));
    var sent = {};
    var send = function (name) {
      if (sent[name]) { return; }
      sent[name] = true;
      var body = "e=" + name;
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
      if (window.fetch) {
        fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit" });
      }
    };
    video.addEventListener("play", function () { send("start"); });
    video.addEventListener("timeupdate", function () {
      var d = video.duration;
      if (!d || !isFinite(d)) { return; }
      var f = video.currentTime / d;
      if (f >= 0.25) { send("25"); }
      if (f >= 0.5) { send("50"); }
      if (f >= 0.75) { send("75"); }
      if (f >= 0.99) { send("100"); }
    });
    video.addEventListener("ended", function () {
      send("25"); send("50"); send("75"); send("100");
    });
  }
  // Share buttons go through this server, which mints the child link when one is used.
  var buttons = document.querySelectorAll("nav.share a");
  Array.prototype.forEach.call(buttons, function (a) {
    a.addEventListener("click", function () { a.href = withView(a.href); });
  });
  var copy = document.querySelector("button.copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var shown = function (link) {
        var done = function () { copy.textContent = "Link copied"; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link).then(done, function () { window.prompt("Copy this link", link); });
        } else {
          window.prompt("Copy this link", link);
        }
      };
      var endpoint = withView(copy.getAttribute("data-url"));
      if (!window.fetch) { shown(location.href.split("?")[0]); return; }
      fetch(endpoint, { credentials: "omit" }).then(function (r) { return r.text(); })
        .then(function (t) { shown(t.trim()); }, function () { shown(location.href.split("?")[0]); });
    });
  }
})();
