// The header's unread count, kept current over Socket.IO (docs/notifications.md).
//
// Progressive enhancement only: the count is rendered on every page for people signed in,
// so it is right without this file. With it, the page joins the person's own room
// ({"notifications": "me"}, checked on the server from the session cookie) and each
// change of their count arrives as {unread}. After every (re)connection it asks
// /notifications/unread, so a dropped connection never leaves a stale number.
//
// Needs the vendored Socket.IO client as the global `io` (a classic deferred script
// placed before this module by base.html).

import { message } from "/static/js/messages.js";

const badge = document.getElementById("unread-count");
const announcer = document.getElementById("unread-announcer");

function show(count) {
  const value = Math.max(0, Number(count) || 0);
  if (!badge || String(value) === badge.dataset.unread) {
    return;
  }
  const rose = value > Number(badge.dataset.unread || 0);
  badge.dataset.unread = String(value);
  badge.textContent = String(value);
  badge.classList.toggle("ss-count--none", value === 0);
  if (announcer && rose) {
    announcer.textContent = message("unread", { num: value });
  }
}

async function refresh() {
  try {
    const response = await fetch("/notifications/unread", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (response.ok) {
      show((await response.json()).unread);
    }
  } catch {
    // Offline: the count stays as it was until the next connection.
  }
}

if (badge && typeof window.io === "function") {
  // Websocket only, like the live comments (docs/realtime.md): no sticky sessions needed.
  const socket = window.io({ transports: ["websocket"], reconnectionDelayMax: 10000 });
  socket.on("connect", () => {
    socket.emit("join", { notifications: "me" }, (answer) => {
      if (answer && answer.ok) {
        badge.dataset.live = "on";
        refresh();
      }
    });
  });
  socket.on("disconnect", () => {
    badge.dataset.live = "off";
  });
  socket.on("unread", (message) => show(message.unread));
}
