// vidkit share page: the play button, watch-through beacons, the share sheet and share buttons.
// No cookies, no storage.
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
  var play = document.querySelector("button.play");
  if (video && play) {
    play.hidden = false;
    play.addEventListener("click", function () {
      play.hidden = true;
      var p = video.play();
      if (p && p.catch) { p.catch(function () { play.hidden = false; }); }
    });
    video.addEventListener("play", function () { play.hidden = true; });
  }
  // The phone's own share sheet where there is one (the "native" child link, minted now);
  // otherwise the button scrolls to the share buttons below.
  var open = document.querySelector("a.share-open");
  if (open && navigator.share) {
    open.addEventListener("click", function (ev) {
      ev.preventDefault();
      var here = location.href.split("#")[0].split("?")[0];
      var done = false;
      var go = function (link) {
        if (done) { return; }
        done = true;
        var shared = navigator.share({ title: document.title, url: link });
        if (shared && shared.catch) { shared.catch(function () {}); }
      };
      // The sheet must open while the tap still counts as one: wait briefly for the link.
      var timer = setTimeout(function () { go(here); }, 700);
      if (!window.fetch) { clearTimeout(timer); go(here); return; }
      fetch(withView(open.getAttribute("data-url")), { credentials: "omit" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (t) { clearTimeout(timer); go(t.trim() || here); },
              function () { clearTimeout(timer); go(here); });
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
