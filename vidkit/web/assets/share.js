// vidkit share page: watch-through beacons and the copy-link button. No cookies, no storage.
(function () {
  "use strict";
  var video = document.getElementById("player");
  if (video) {
    var url = video.getAttribute("data-beacon");
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
  var copy = document.querySelector("button.copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var link = copy.getAttribute("data-url");
      var done = function () { copy.textContent = "Link copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(link).then(done, function () { window.prompt("Copy this link", link); });
      } else {
        window.prompt("Copy this link", link);
      }
    });
  }
})();
