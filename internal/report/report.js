"use strict";
(function () {
  // Every name below comes from AWS and is untrusted: it only ever reaches
  // the page through textContent, never as markup.
  var parseStart = performance.now();
  var D = JSON.parse(document.getElementById("data").textContent);
  document.body.dataset.parseMs = Math.round(performance.now() - parseStart);
  var R = D.rows, N = R.length / 5;
  var ROWS_PER_PAGE = 50, COLS_PER_PAGE = 40, DETAIL_MAX = 1000;

  function $(id) { return document.getElementById(id); }
  function h(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function lc(s) { return String(s || "").toLowerCase(); }

  // Labels and search texts, once per name.
  function acctName(a) { var x = D.accounts[a]; return x[1] || x[0]; }
  function userName(u) { var x = D.users[u]; return x[1] || x[0]; }
  function principalName(p) {
    var x = D.principals[p];
    if (x[0] === "GROUP") return x[2] || ("deleted group " + x[1]);
    return "direct";
  }
  var userText = D.users.map(function (x) { return lc(x[1] + " " + x[2] + " " + x[3] + " " + x[0]); });
  var acctText = D.accounts.map(function (x) { return lc(x[1] + " " + x[0]); });
  var psText = D.psets.map(function (x) { return lc(x[0]); });
  var prText = D.principals.map(function (x) { return lc(x[2] + " " + x[1]); });

  // The key and label of a row of the matrix, per mode. Keys are numbers
  // (Map lookups on numbers are what keeps a 100,000-row aggregation fast):
  // a user, group or permission set index, or -1-p for the principal p of
  // a row that names no user (a group without members, a deleted user),
  // or USERBASE+u for a user's direct assignments in the groups view.
  var USERBASE = 1 << 24;
  var isGroup = D.principals.map(function (x) { return x[0] === "GROUP"; });
  // Groups whose members could not be listed: their rows name no user,
  // as an empty group's do, and must never read as one.
  var unlisted = {};
  var unknownFlag = D.flags.map(function (f) { return (" " + f + " ").indexOf(" MEMBERS_UNKNOWN ") >= 0; });
  for (var o = 0; o < R.length; o += 5) if (R[o] < 0 && unknownFlag[R[o + 4]]) unlisted[R[o + 3]] = true;
  function principalRowLabel(p, emptyGroup) {
    var x = D.principals[p];
    if (x[0] !== "GROUP") return "(deleted user " + x[1] + ")";
    if (!x[2]) return "(deleted group " + x[1] + ")";
    if (!emptyGroup) return x[2];
    return (unlisted[p] ? "(members not listed) group " : "(no members) group ") + x[2];
  }
  var modes = {
    users: {
      key: function (o) { var u = R[o]; return u >= 0 ? u : -1 - R[o + 3]; },
      label: function (k) { return k >= 0 ? userName(k) : principalRowLabel(-1 - k, true); },
      pane: function (k) { return k >= 0 ? "u" + k : "p" + (-1 - k); },
      cell: "permission sets"
    },
    groups: {
      key: function (o) { var p = R[o + 3]; return isGroup[p] ? p : (R[o] >= 0 ? USERBASE + R[o] : -1 - p); },
      label: function (k) { return k >= USERBASE ? "direct: " + userName(k - USERBASE) : principalRowLabel(k >= 0 ? k : -1 - k, false); },
      pane: function (k) { return k >= USERBASE ? "u" + (k - USERBASE) : "p" + (k >= 0 ? k : -1 - k); },
      cell: "permission sets"
    },
    psets: {
      key: function (o) { return R[o + 2]; },
      label: function (k) { return D.psets[k][0]; },
      pane: function (k) { return "s" + k; },
      cell: "users"
    }
  };

  // The access review: each account's OU path and whether it is
  // production, each permission set's privilege rank (0: not privileged).
  var OU = D.ous || [], PROD = D.production || [], RANK = D.rank || [];
  // LAST: the last use of user,account,permission set where access unused
  // has read it.
  var LAST = new Map();
  (D.lastUsed || []).forEach(function (x) { LAST.set(x[0] + "," + x[1] + "," + x[2], x[3]); });
  function privProd(o) { return PROD[R[o + 1]] === 1 && RANK[R[o + 2]] > 0; }

  var state = { mode: "users", q: "", aq: "", ps: "", flagged: false, privprod: false, rowPage: 0, colPage: 0 };
  var view = null; // the current aggregation

  function keep(i) {
    var o = i * 5;
    if (state.ps !== "" && R[o + 2] !== +state.ps) return false;
    if (state.flagged && R[o + 4] === 0) return false;
    if (state.privprod && !privProd(o)) return false;
    if (state.aq && acctText[R[o + 1]].indexOf(state.aq) < 0) return false;
    if (state.q) {
      var q = state.q, u = R[o];
      if (!((u >= 0 && userText[u].indexOf(q) >= 0) || acctText[R[o + 1]].indexOf(q) >= 0 ||
            psText[R[o + 2]].indexOf(q) >= 0 || prText[R[o + 3]].indexOf(q) >= 0)) return false;
    }
    return true;
  }

  // aggregate groups the kept rows by (matrix row, account).
  function aggregate() {
    var m = modes[state.mode], rows = new Map(), accts = new Map(), total = 0;
    for (var i = 0; i < N; i++) {
      if (!keep(i)) continue;
      total++;
      var k = m.key(i * 5), a = R[i * 5 + 1];
      var r = rows.get(k);
      if (!r) { r = { key: k, label: m.label(k), cells: new Map() }; rows.set(k, r); }
      var c = r.cells.get(a);
      if (!c) { c = { set: new Set(), rows: [], flagged: false }; r.cells.set(a, c); }
      c.set.add(state.mode === "psets" ? (R[i * 5] >= 0 ? R[i * 5] : -1 - R[i * 5 + 3]) : R[i * 5 + 2]);
      c.rows.push(i);
      if (R[i * 5 + 4] !== 0) c.flagged = true;
      accts.set(a, (accts.get(a) || 0) + 1);
    }
    var rowList = Array.from(rows.values()).sort(function (x, y) { return x.label < y.label ? -1 : x.label > y.label ? 1 : 0; });
    // Accounts grouped by OU: by OU path, then by name.
    var acctList = Array.from(accts.keys()).sort(function (x, y) {
      var p = OU[x] || "", q = OU[y] || "";
      if (p !== q) return p < q ? -1 : 1;
      var a = acctName(x), b = acctName(y);
      return a < b ? -1 : a > b ? 1 : x - y;
    });
    return { rows: rowList, accts: acctList, total: total };
  }

  function render() {
    view = aggregate();
    var m = modes[state.mode];
    var rp = Math.max(0, Math.min(state.rowPage, Math.ceil(view.rows.length / ROWS_PER_PAGE) - 1));
    var cp = Math.max(0, Math.min(state.colPage, Math.ceil(view.accts.length / COLS_PER_PAGE) - 1));
    state.rowPage = rp; state.colPage = cp;
    var rows = view.rows.slice(rp * ROWS_PER_PAGE, (rp + 1) * ROWS_PER_PAGE);
    var accts = view.accts.slice(cp * COLS_PER_PAGE, (cp + 1) * COLS_PER_PAGE);

    var t = $("matrix");
    t.textContent = "";
    var thead = h("thead"), tr = h("tr");
    tr.appendChild(h("th", state.mode === "psets" ? "permission set \\ account" : state.mode === "groups" ? "group \\ account" : "user \\ account", "corner"));
    accts.forEach(function (a) {
      var th = h("th", acctName(a));
      th.title = acctName(a) + " (" + D.accounts[a][0] + ")" + (D.accounts[a][2] && D.accounts[a][2] !== "ACTIVE" ? " " + D.accounts[a][2] : "") +
        (OU[a] ? " in " + OU[a] : "") + (PROD[a] === 1 ? ", production" : "");
      if (PROD[a] === 1) th.className = "prod";
      th.dataset.account = a;
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    var tbody = h("tbody");
    rows.forEach(function (r) {
      var tr = h("tr"), th = h("th", r.label);
      th.title = r.label;
      th.dataset.key = r.key;
      th.dataset.pane = m.pane(r.key);
      tr.appendChild(th);
      accts.forEach(function (a) {
        var c = r.cells.get(a);
        if (!c) { tr.appendChild(h("td", "", "e")); return; }
        var n = c.set.size;
        var td = h("td", n, "c" + (n >= 4 ? 3 : n >= 2 ? 2 : 1) + (c.flagged ? " f" : ""));
        td.title = r.label + " · " + acctName(a) + ": " + n + " " + m.cell + (c.flagged ? " (findings)" : "");
        td.dataset.key = r.key;
        td.dataset.account = a;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    t.appendChild(tbody);

    $("mstatus").textContent = view.total + " of " + N + " rows match · " + view.rows.length + " " +
      (state.mode === "users" ? "users" : state.mode === "groups" ? "groups and direct assignments" : "permission sets") +
      " × " + view.accts.length + " accounts · cells count " + m.cell + "; outlined cells have findings";
    $("mstatus").dataset.rows = view.rows.length;
    pager(rp, cp);
  }

  function pager(rp, cp) {
    var p = $("pager");
    p.textContent = "";
    function nav(what, page, count, per, set) {
      if (count <= per) return;
      var span = h("span", what + " " + (page * per + 1) + "–" + Math.min(count, (page + 1) * per) + " of " + count + " ");
      var prev = h("button", "‹ previous"), next = h("button", "next ›");
      prev.disabled = page === 0;
      next.disabled = (page + 1) * per >= count;
      prev.onclick = function () { set(page - 1); render(); };
      next.onclick = function () { set(page + 1); render(); };
      span.appendChild(prev);
      span.appendChild(next);
      p.appendChild(span);
    }
    nav("rows", rp, view.rows.length, ROWS_PER_PAGE, function (v) { state.rowPage = v; });
    nav("accounts", cp, view.accts.length, COLS_PER_PAGE, function (v) { state.colPage = v; });
  }

  // detail shows rows (indexes into R) as a table.
  function detail(title, idx) {
    $("detail-title").textContent = title;
    var body = $("detail-body");
    body.textContent = "";
    idx.sort(function (x, y) {
      var a = acctName(R[x * 5 + 1]), b = acctName(R[y * 5 + 1]);
      if (a !== b) return a < b ? -1 : 1;
      var p = D.psets[R[x * 5 + 2]][0], q = D.psets[R[y * 5 + 2]][0];
      if (p !== q) return p < q ? -1 : 1;
      return x - y;
    });
    body.appendChild(h("p", idx.length + " row(s)" + (idx.length > DETAIL_MAX ? "; the first " + DETAIL_MAX + " are listed" : "")));
    var t = h("table", null, "list"), head = h("tr");
    var cols = ["User", "E-mail", "Account", "Permission set", "Path", "Findings"];
    if (LAST.size) cols.push("Last used");
    cols.forEach(function (c) { head.appendChild(h("th", c)); });
    var th = h("thead");
    th.appendChild(head);
    t.appendChild(th);
    var tb = h("tbody");
    idx.slice(0, DETAIL_MAX).forEach(function (i) {
      var o = i * 5, u = R[o], a = R[o + 1], pr = D.principals[R[o + 3]], tr = h("tr");
      tr.appendChild(h("td", u >= 0 ? userName(u) : ""));
      tr.appendChild(h("td", u >= 0 ? D.users[u][2] : ""));
      tr.appendChild(h("td", acctName(a) + " (" + D.accounts[a][0] + ")"));
      tr.appendChild(h("td", D.psets[R[o + 2]][0]));
      tr.appendChild(h("td", pr[0] === "GROUP" ? "group " + (pr[2] || pr[1]) : "direct"));
      var f = h("td");
      if (R[o + 4] !== 0) f.appendChild(h("span", D.flags[R[o + 4]], "flag"));
      tr.appendChild(f);
      if (LAST.size) tr.appendChild(h("td", u >= 0 ? LAST.get(u + "," + a + "," + R[o + 2]) || "" : ""));
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    body.appendChild(t);
    $("detail").scrollIntoView({ block: "start" });
  }

  function rowsWhere(pred) {
    var out = [];
    for (var i = 0; i < N; i++) if (pred(i)) out.push(i);
    return out;
  }

  // Panes for one user, group, permission set or account: every row, not
  // only those the filters keep.
  function pane(key) {
    var n = +key.slice(1);
    switch (key[0]) {
      case "u": case "d":
        var x = D.users[n];
        return detail("User " + userName(n) + (x[2] ? " <" + x[2] + ">" : "") + (x[4] && x[4] !== "ENABLED" ? " (" + x[4] + ")" : ""),
          rowsWhere(function (i) { return R[i * 5] === n; }));
      case "p":
        return detail((D.principals[n][0] === "GROUP" ? "Group " : "Principal ") + principalName(n) + " (" + D.principals[n][1] + ")",
          rowsWhere(function (i) { return R[i * 5 + 3] === n; }));
      case "s":
        return detail("Permission set " + D.psets[n][0], rowsWhere(function (i) { return R[i * 5 + 2] === n; }));
      case "a":
        return detail("Account " + acctName(n) + " (" + D.accounts[n][0] + ")", rowsWhere(function (i) { return R[i * 5 + 1] === n; }));
    }
  }

  $("matrix").addEventListener("click", function (ev) {
    var e = ev.target.closest("th, td");
    if (!e || e.classList.contains("e") || e.classList.contains("corner")) return;
    if (e.tagName === "TD") {
      var r = view.rows.find(function (r) { return r.key === +e.dataset.key; });
      var c = r && r.cells.get(+e.dataset.account);
      if (c) detail(r.label + " · " + acctName(+e.dataset.account), c.rows.slice());
    } else if (e.dataset.account !== undefined) {
      pane("a" + e.dataset.account);
    } else if (e.dataset.pane) {
      pane(e.dataset.pane);
    }
  });

  var sel = $("ps");
  D.psets.map(function (x, i) { return [x[0], i]; }).sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; })
    .forEach(function (x) { var o = h("option", x[0]); o.value = x[1]; sel.appendChild(o); });

  var timer = 0;
  function later() { clearTimeout(timer); timer = setTimeout(function () { state.rowPage = state.colPage = 0; render(); }, 120); }
  $("q").addEventListener("input", function () { state.q = lc(this.value.trim()); later(); });
  $("aq").addEventListener("input", function () { state.aq = lc(this.value.trim()); later(); });
  $("mode").addEventListener("change", function () { state.mode = this.value; state.rowPage = state.colPage = 0; render(); });
  $("ps").addEventListener("change", function () { state.ps = this.value; state.rowPage = state.colPage = 0; render(); });
  $("flagged").addEventListener("change", function () { state.flagged = this.checked; state.rowPage = state.colPage = 0; render(); });
  $("privprod").addEventListener("change", function () { state.privprod = this.checked; state.rowPage = state.colPage = 0; render(); });

  var t0 = performance.now();
  render();
  document.body.dataset.renderMs = Math.round(performance.now() - t0);
  document.body.dataset.readyMs = Math.round(performance.now());
  document.body.dataset.ready = "1";
})();
