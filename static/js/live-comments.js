// Live comments: the server-rendered thread, kept current over Socket.IO (docs/realtime.md).
//
// Progressive enhancement only. Without this file (or without JavaScript) the thread is
// read and written with plain pages and forms. With it, each comment change the server
// commits arrives as {comment_id, parent_id, seq, state, html, author_name}; the stored
// public <article> is inserted or replaced by its element id, so applying a change twice
// does nothing the second time. After every (re)connection the page joins its room and
// then asks the change feed for everything after the last seq it is complete up to, so
// a dropped connection loses nothing and doubles nothing.
//
// Needs the vendored Socket.IO client as the global `io`, loaded by a classic
// <script src defer> placed before this module, and on the page a thread container:
//   <section id="comments" data-consultation="<slug>" data-seq="<seq>" data-feed="<url>">
//     <div id="comments-announcer" aria-live="polite"></div>
//     <ol id="comment-thread">…<li id="item-<id>"><article id="comment-<id>"
//        data-seq data-parent data-path data-list>…</article>
//        <ol id="replies-<id>">…</ol></li>…</ol>
//   </section>

import { message } from "/static/js/messages.js";

const ROOT_LIST = "comment-thread";
const ANNOUNCE_AFTER_MS = 400;
const RETRY_MS = [1000, 2000, 5000, 10000];

function start(container) {
  const slug = container.dataset.consultation;
  const feed = container.dataset.feed || container.dataset.feedUrl;
  if (!slug || !feed || typeof window.io !== "function") {
    return null;
  }
  const state = {
    // Every change up to this seq is on the page: the page itself was rendered at it.
    complete: Number(container.dataset.seq) || 0,
    live: false, // joined and caught up since the last (re)connection
    // Live seqs above `complete`. `complete` moves only over an unbroken run: with several
    // workers two changes can arrive out of order, and a gap may be one still in flight
    // (or a comment this viewer cannot see), so the next catch-up asks from before it.
    seen: new Set(),
    orphans: new Map(), // list id -> replies whose parent item is not on the page yet
    newNames: [],
    announceTimer: null,
  };
  // Websocket only: with several uvicorn workers (docs/realtime.md) long-polling would
  // need sticky sessions, and a websocket stays on the worker that accepted it.
  const socket = window.io({ transports: ["websocket"], reconnectionDelayMax: 5000 });

  socket.on("connect", () => synchronise(socket, container, state, slug, feed, 0));
  socket.on("disconnect", () => {
    state.live = false;
    container.dataset.live = "offline";
  });
  socket.on("comment", (broadcast) => {
    const change = inPageLanguage(broadcast);
    const result = apply(container, state, change);
    advance(state, Number(change.seq) || 0);
    if (result === "added" && change.state === "published") {
      queueAnnouncement(container, state, change.author_name || authorOf(change.html));
    }
  });
  // Back on the network: try at once rather than waiting out the reconnection backoff.
  // connect() alone does nothing while a backoff is under way (socket.io-client opens
  // its manager only when it is not reconnecting), and after a few failed attempts
  // offline the next one can be seconds away: close the manager and open it afresh.
  window.addEventListener("online", () => {
    if (!socket.connected) {
      socket.disconnect();
      socket.connect();
    }
  });
  return socket;
}

async function synchronise(socket, container, state, slug, feed, attempt) {
  state.live = false;
  let answer;
  try {
    // Join first, then read the feed: anything committed after the feed's snapshot
    // reaches the room, anything before it is in the feed (some may be in both).
    answer = await socket.timeout(5000).emitWithAck("join", { consultation: slug });
  } catch {
    answer = null;
  }
  if (!socket.connected) {
    return; // dropped meanwhile; the next "connect" starts again
  }
  if (!answer || answer.ok === false) {
    if (answer === null) {
      retry(socket, container, state, slug, feed, attempt);
    }
    return; // refused: this viewer may not follow the room (the page says why)
  }
  try {
    const url = `${feed}?after=${encodeURIComponent(state.complete)}`;
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) {
      throw new Error(`change feed answered ${response.status}`);
    }
    const body = await response.json();
    const names = [];
    for (const change of body.changes || []) {
      if (apply(container, state, change) === "added" && change.state === "published") {
        names.push(authorOf(change.html));
      }
    }
    if (!socket.connected) {
      return;
    }
    advance(state, Number(body.seq) || 0, true);
    state.live = true;
    container.dataset.live = "connected";
    for (const name of names) {
      queueAnnouncement(container, state, name);
    }
  } catch {
    retry(socket, container, state, slug, feed, attempt);
  }
}

function advance(state, seq, caughtUp = false) {
  if (caughtUp) {
    // The feed is complete up to its seq: everything at or below it is on the page.
    state.complete = Math.max(state.complete, seq);
  } else if (seq > state.complete) {
    state.seen.add(seq);
  }
  for (const old of state.seen) {
    if (old <= state.complete) {
      state.seen.delete(old);
    }
  }
  while (state.seen.delete(state.complete + 1)) {
    state.complete += 1;
  }
}

function retry(socket, container, state, slug, feed, attempt) {
  const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
  window.setTimeout(() => {
    if (socket.connected && !state.live) {
      synchronise(socket, container, state, slug, feed, attempt + 1);
    }
  }, wait);
}

// -- applying one change ---------------------------------------------------------------

// A broadcast carries the stored (English) fragment and the same in the hub's other
// languages; a reader gets the one of their page. (The change feed already answers in it.)
function inPageLanguage(change) {
  const own = change && change.html_localised && change.html_localised[document.documentElement.lang];
  return own ? Object.assign({}, change, { html: own }) : change;
}

function apply(container, state, change) {
  if (!change || typeof change.html !== "string" || change.html === "") {
    return "ignored"; // nothing public to show (a comment waiting for a moderator)
  }
  const fresh = parse(change.html);
  if (!fresh || fresh.id !== `comment-${change.comment_id}`) {
    return "ignored";
  }
  const seq = Number(change.seq) || 0;
  fresh.dataset.seq = fresh.dataset.seq || String(seq);
  const existing = document.getElementById(fresh.id);
  if (existing) {
    if ((Number(existing.dataset.seq) || 0) >= seq) {
      return "known";
    }
    const focused = existing.contains(document.activeElement) ? document.activeElement : null;
    existing.replaceWith(fresh);
    if (focused) {
      // Keep a keyboard user's place: the same link in the new version, else the comment.
      const href = focused.getAttribute("href");
      const again = href && Array.from(fresh.querySelectorAll("a")).find(
        (link) => link.getAttribute("href") === href,
      );
      if (again) {
        again.focus();
      } else {
        fresh.setAttribute("tabindex", "-1");
        fresh.focus();
      }
    }
    return "updated";
  }
  const listId = listIdOf(fresh, change);
  const parked = state.orphans.get(listId);
  if (parked?.has(fresh.id) && (Number(parked.get(fresh.id).dataset.seq) || 0) >= seq) {
    return "known";
  }
  const list = findList(container, listId);
  if (!list) {
    // Its parent is not on this page (not visible to us yet): keep it until it is.
    if (!parked) {
      state.orphans.set(listId, new Map([[fresh.id, fresh]]));
    } else {
      parked.set(fresh.id, fresh);
    }
    return "parked";
  }
  place(container, state, list, fresh);
  return "added";
}

function place(container, state, list, article) {
  const id = article.id.slice("comment-".length);
  const item = document.createElement("li");
  item.className = "ss-thread__item";
  item.id = `item-${id}`;
  item.append(article);
  const path = article.dataset.path || "";
  const before = Array.from(list.children).find((sibling) => {
    const other = sibling.querySelector(":scope > article");
    return path && other?.dataset.path && other.dataset.path > path;
  });
  list.insertBefore(item, before || null);
  // Replies that arrived before this comment can now go in.
  const waiting = state.orphans.get(`replies-${id}`);
  if (waiting) {
    state.orphans.delete(`replies-${id}`);
    const replies = findList(container, `replies-${id}`);
    for (const reply of waiting.values()) {
      place(container, state, replies, reply);
    }
  }
}

function listIdOf(article, change) {
  if (article.dataset.list) {
    return article.dataset.list; // the server decides, including the flat 6th level
  }
  return change.parent_id ? `replies-${change.parent_id}` : ROOT_LIST;
}

function findList(container, listId) {
  if (listId === ROOT_LIST && container.dataset.newComments === "elsewhere") {
    return null; // a page of the thread that is not its last: new threads start there
  }
  const found = document.getElementById(listId);
  if (found) {
    return found;
  }
  if (!listId.startsWith("replies-")) {
    return null;
  }
  const parentItem = document.getElementById(`item-${listId.slice("replies-".length)}`);
  if (!parentItem || !container.contains(parentItem)) {
    return null;
  }
  const list = document.createElement("ol");
  list.className = "ss-thread__replies";
  list.id = listId;
  parentItem.append(list);
  return list;
}

function parse(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const node = template.content.firstElementChild;
  return node && node.tagName === "ARTICLE" ? node : null;
}

function authorOf(html) {
  const article = parse(html || "");
  return article?.querySelector(".ss-comment__author")?.textContent?.trim() || "";
}

// -- telling screen reader users, briefly ---------------------------------------------

function announcer(container) {
  let region = document.getElementById("comments-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "comments-announcer";
    region.className = "govuk-visually-hidden";
    region.setAttribute("aria-live", "polite");
    container.prepend(region);
  }
  return region;
}

function queueAnnouncement(container, state, name) {
  state.newNames.push(name);
  window.clearTimeout(state.announceTimer);
  state.announceTimer = window.setTimeout(() => {
    const names = state.newNames;
    state.newNames = [];
    const region = announcer(container);
    const latest = names[names.length - 1];
    let text;
    if (names.length === 1) {
      text = latest ? message("newCommentFrom", { name: latest }) : message("newComment");
    } else {
      const count = { num: names.length, name: latest };
      text = latest ? message("newCommentsLatest", count) : message("newComments", count);
    }
    // Clear first so the same sentence twice in a row is still read out.
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = text;
    }, 50);
  }, ANNOUNCE_AFTER_MS);
}

const thread = document.getElementById("comments");
if (thread) {
  const socket = start(thread);
  // For debugging and the browser tests: the live connection of this page.
  if (socket) {
    thread.liveSocket = socket;
  }
}

export { apply, start };
