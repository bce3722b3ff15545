// The DAIG console's pages (docs/console.md). Everything shown is built with DOM calls and
// textContent: a string from the API is never parsed as markup, so a name like
// <img src=x onerror=...> shows as those characters. Changes go to the JSON API with the
// session's CSRF token in a header; the session cookie itself is HttpOnly.
'use strict';
(function () {
  const csrf = document.querySelector('meta[name="daig-csrf"]').content;
  const roles = (document.body.dataset.roles || '').split(' ');
  const isAdmin = roles.includes('admin');
  const POLL_MS = 2000;
  const HISTORY = 150; // points kept for the charts drawn from polling (5 minutes at 2 s)
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const status = document.getElementById('live');
  const history = { grid: [], credits: [] };
  const lastData = {};
  let selected = null; // the project whose chart and versions are open
  let auditFilter = '';

  // ---- building the page ----

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) throw new Error('handlers go through addEventListener');
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function button(label, key, action, extra) {
    const b = el('button', Object.assign({ type: 'button', 'data-key': key }, extra || {}), label);
    b.addEventListener('click', () => run(action));
    return b;
  }

  function table(id, caption, columns, rows) {
    return el('div', { class: 'scroll' },
      el('table', { id: id },
        el('caption', null, caption),
        el('thead', null, el('tr', null, columns.map(c => el('th', { scope: 'col' }, c)))),
        el('tbody', null, rows.length === 0
          ? el('tr', null, el('td', { colspan: columns.length, class: 'empty' }, 'none'))
          : rows.map(r => el('tr', r.attrs || null, r.cells.map(c => el('td', null, c)))))));
  }

  function fmt(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return '–';
    if (digits === undefined && n !== 0 && Math.abs(n) < 0.001) return Number(n).toExponential(3);
    return Number(n).toFixed(digits === undefined ? 4 : digits);
  }

  function tick(n) {
    return n === 0 ? '0' : Math.abs(n) >= 0.01 && Math.abs(n) < 10000 ? String(Number(n.toFixed(2))) : n.toExponential(1);
  }

  /** A credit in TFLOP: small models earn tiny amounts, so significant digits rather than decimals. */
  function credit(n) {
    return n === 0 ? '0' : n >= 0.01 ? n.toFixed(4) : n.toExponential(3);
  }

  function when(ms) {
    if (!ms) return '–';
    const d = new Date(ms);
    // today's times alone: the tables stay narrow enough for a laptop's screen
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
  }

  function duration(s) {
    if (s === null || s === undefined || s < 0) return '–';
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }

  /**
   * A line chart with its numbers beside it: series = [{name, points: [[x, y], ...]}]. The SVG is
   * a picture for the eye; the table under it says the same for screen readers and for copying.
   */
  function chart(id, title, xLabel, series, xFormat, minTop) {
    const w = 560, h = 200, pad = 48; // room for a tick label such as 1.4e-6
    const all = series.flatMap(s => s.points).filter(p => p[1] !== null && !Number.isNaN(p[1]));
    const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
    const x0 = Math.min(...xs, 0), x1 = Math.max(...xs, 1);
    const y0 = Math.min(...ys, 0), y1 = Math.max(...ys, minTop === undefined ? 1 : minTop, 1e-12); // counts, ratios: 0 to 1 at least
    const sx = x => pad + (x - x0) / ((x1 - x0) || 1) * (w - 2 * pad);
    const sy = y => h - pad - (y - y0) / ((y1 - y0) || 1) * (h - 2 * pad);
    const picture = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-label': title + ' (numbers in the table below)',
      class: 'chart', preserveAspectRatio: 'xMidYMid meet' },
      svg('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, class: 'axis' }),
      svg('line', { x1: pad, y1: pad, x2: pad, y2: h - pad, class: 'axis' }),
      svg('text', { x: pad - 4, y: pad, class: 'tick', 'text-anchor': 'end' }, tick(y1)),
      svg('text', { x: pad - 4, y: h - pad, class: 'tick', 'text-anchor': 'end' }, tick(y0)),
      svg('text', { x: w / 2, y: h - 6, class: 'tick', 'text-anchor': 'middle' }, xLabel),
      series.map((s, i) => {
        const pts = s.points.filter(p => p[1] !== null && !Number.isNaN(p[1]));
        return svg('g', { class: 'series s' + i },
          svg('polyline', { points: pts.map(p => sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join(' ') }),
          pts.map(p => svg('circle', { cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 3 })),
          svg('text', { x: pad + 90 * i, y: 14, class: 'legend' }, '● ' + s.name));
      }));
    const xsAll = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
    const rows = xsAll.map(x => ({ cells: [xFormat ? xFormat(x) : x].concat(series.map(s => {
      const p = s.points.find(q => q[0] === x);
      return p ? fmt(p[1]) : '–';
    })) }));
    return el('figure', { class: 'chart-box', id: id },
      el('figcaption', null, title), picture,
      el('details', null, el('summary', null, 'The numbers'), table(id + '-table', title, [xLabel].concat(series.map(s => s.name)), rows)));
  }

  // ---- talking to the API ----

  async function api(path, text) {
    const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: text ? 'text/plain' : 'application/json' } });
    if (r.status === 401) {
      location.assign('/console/login');
      throw new Error('the session ended: log in again');
    }
    if (!r.ok && r.status !== 503) throw new Error(path + ': ' + await problem(r));
    return text ? r.text() : r.json();
  }

  async function send(method, path, body) {
    const headers = { 'X-DAIG-CSRF': csrf };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method: method, credentials: 'same-origin', headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(await problem(r));
    return r.status === 204 ? null : r.json();
  }

  async function problem(r) {
    try {
      const body = await r.json();
      return body.error || (body.problems ? body.problems.map(p => p.message || JSON.stringify(p)).join('; ') : r.status);
    } catch (e) {
      return 'HTTP ' + r.status;
    }
  }

  async function run(action) {
    try {
      const said = await action();
      say(said || 'Done.');
      await refresh(true);
    } catch (e) {
      say(e.message, true);
    }
  }

  function say(text, error) {
    status.textContent = text;
    status.classList.toggle('error', !!error);
  }

  // ---- the sections ----

  function parseMetrics(text) {
    const m = {};
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const i = line.lastIndexOf(' ');
      const name = line.substring(0, i);
      m[name] = Number(line.substring(i + 1));
    }
    return m;
  }

  const views = {
    async overview(view) {
      const [metrics, health, st] = await Promise.all([api('/metrics', true), api('/health'), api('/api/status')]);
      const m = parseMetrics(metrics);
      const results = Object.entries(m).filter(([k]) => k.startsWith('daig_results_total')).reduce((a, [, v]) => a + v, 0);
      const g = history.grid;
      if (g.length === 0) {
        // the coordinator's last hour (a sample every 10 s), so that the charts start before this page did
        for (const s of await api('/api/v1/grid/history')) addGridPoint(g, s.at, s.online, s.results, s.leases);
      }
      const now = Date.now();
      addGridPoint(g, now, m.daig_providers_online || 0, results, m.daig_leases_total || 0);
      const last = g[g.length - 1];
      document.body.dataset.gridFrom = String(g[0].t); // where the charts start (the browser test compares it with the page's start)
      const checks = Object.entries(health.checks || {});
      const states = ['preparing', 'running', 'paused', 'completed', 'cancelled', 'failed']
        .map(s => s + ' ' + (m['daig_projects{state="' + s + '"}'] || 0)).join(', ');
      const t0 = g[0].t;
      const clock = x => new Date(t0 + x * 1000).toLocaleTimeString();
      view.replaceChildren(
        el('dl', { class: 'cards', id: 'grid-cards' },
          el('div', null, el('dt', null, 'Providers online'), el('dd', { id: 'providers-online' }, last.online)),
          el('div', null, el('dt', null, 'Tasks leased now'), el('dd', null, m.daig_leases_active || 0)),
          el('div', null, el('dt', null, 'Tasks per second'), el('dd', null, fmt(last.tasksPerSecond, 2))),
          el('div', null, el('dt', null, 'Results per second'), el('dd', null, fmt(last.resultsPerSecond, 2))),
          el('div', null, el('dt', null, 'Rounds closed'), el('dd', null, m.daig_rounds_total || 0)),
          el('div', null, el('dt', null, 'Leases expired'), el('dd', null, m.daig_leases_expired_total || 0)),
          el('div', null, el('dt', null, 'Lease time p50 / p99'), el('dd', { id: 'lease-latency' },
            fmt(m['daig_lease_seconds{quantile="0.5"}'] * 1000, 1) + ' / ' + fmt(m['daig_lease_seconds{quantile="0.99"}'] * 1000, 1) + ' ms')),
          el('div', null, el('dt', null, 'Disk free (data)'), el('dd', { id: 'disk-free' },
            m.daig_data_free_bytes >= 0 ? fmt(m.daig_data_free_bytes / 1073741824, 1) + ' GiB' : '–')),
          el('div', null, el('dt', null, 'Health'), el('dd', { id: 'health' }, health.status || '?')),
          checks.map(([k, v]) => el('div', null, el('dt', null, k), el('dd', { class: v === 'UP' ? 'ok' : 'bad' }, v))),
          el('div', null, el('dt', null, 'Broker'), el('dd', { class: 'small' }, (st.bus && st.bus.broker) || '–')),
          el('div', null, el('dt', null, 'Projects'), el('dd', { class: 'small' }, states))),
        chart('chart-online', 'Providers online', 'time (the last hour)',
          [{ name: 'online', points: g.map(p => [Math.round((p.t - t0) / 1000), p.online]) }], clock),
        chart('chart-rates', 'Tasks and results per second', 'time (the last hour)',
          [{ name: 'tasks/s', points: g.slice(1).map(p => [Math.round((p.t - t0) / 1000), p.tasksPerSecond]) },
            { name: 'results/s', points: g.slice(1).map(p => [Math.round((p.t - t0) / 1000), p.resultsPerSecond]) }], clock));
    },

    async projects(view) {
      await projectsView(view, true);
    },

    async 'my-projects'(view) {
      await projectsView(view, false);
    },

    async providers(view) {
      const [st, vols, leases, devices] = await Promise.all([api('/api/status'), api('/api/v1/volunteers'), api('/api/v1/leases'),
        api('/api/v1/devices')]);
      const enrolled = new Map(devices.map(d => [d.device, d]));
      const byId = new Map();
      for (const p of st.providers) byId.set(p.id, { id: p.id, info: p });
      for (const v of vols) byId.set(v.providerId, Object.assign(byId.get(v.providerId) || { id: v.providerId }, { vol: v }));
      const rows = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)).map(p => {
        const info = p.info || {}, v = p.vol || {};
        const lease = leases.find(l => l.providerId === p.id && l.state === 'ACTIVE') || leases.find(l => l.providerId === p.id);
        const machine = info.machine ? [info.machine.os, info.machine.arch, info.machine.logicalCores + ' cores',
          Math.round(info.machine.memoryBytes / 1073741824) + ' GiB'].join(', ') : '–';
        const ban = v.banned
          ? button('Unban', 'unban-' + p.id, () => send('POST', '/api/v1/volunteers/' + encodeURIComponent(p.id) + '/reset')
            .then(() => 'Lifted the ban of ' + p.id + '.'), { 'aria-label': 'Unban ' + p.id })
          : button('Ban', 'ban-' + p.id, () => send('POST', '/api/v1/volunteers/' + encodeURIComponent(p.id)
            + '/ban?reason=' + encodeURIComponent('banned from the console by ' + document.body.dataset.user))
            .then(() => p.id + ' gets no more tasks.'), { 'aria-label': 'Ban ' + p.id, class: 'danger' });
        const device = enrolled.get(p.id) || {};
        return { attrs: { 'data-provider': p.id }, cells: [p.id, info.name || device.name || '–', v.account || device.user || '–', info.online ? 'online' : 'offline',
          machine, lease ? lease.projectId + ' round ' + lease.round + ' shard ' + lease.shard : '–', v.accepted || 0, v.invalid || 0,
          v.banned ? 'banned' + (v.lastReason ? ': ' + v.lastReason : '') : 'no', when(info.lastSeen), ban] };
      });
      view.replaceChildren(table('providers-table', 'Providers: machine, current task, reputation', ['device', 'name', 'account',
        'state', 'machine', 'current task', 'results accepted', 'invalid', 'banned', 'last seen', ''], rows));
    },

    async users(view) {
      const users = await api('/api/v1/admin/users');
      const rows = users.map(u => ({ attrs: { 'data-user': u.user }, cells: [u.user, u.roles.join(', '), u.disabled ? 'disabled' : 'active',
        when(u.createdAt), when(u.lastLoginAt), el('span', { class: 'actions' },
          u.disabled
            ? button('Enable', 'enable-' + u.user, () => send('POST', userPath(u.user, 'enable')).then(() => u.user + ' may log in again.'))
            : button('Disable', 'disable-' + u.user, () => send('POST', userPath(u.user, 'disable')).then(() => u.user + ' is disabled.')),
          button('Roles', 'roles-' + u.user, () => {
            const typed = window.prompt('Roles of ' + u.user + ' (requestor, volunteer, admin; separated by commas)', u.roles.join(', '));
            const roles = typed === null ? [] : typed.split(',').map(r => r.trim()).filter(r => r);
            return roles.length ? send('POST', userPath(u.user, 'roles'), { roles: roles })
              .then(r => 'The roles of ' + u.user + ' are now: ' + r.roles.join(', ') + '.') : Promise.resolve('Nothing changed.');
          }),
          button('Revoke tokens', 'revoke-' + u.user, () => send('POST', userPath(u.user, 'revoke'))
            .then(r => r.revoked + ' tokens of ' + u.user + ' revoked.')),
          button('New password', 'password-' + u.user, () => {
            const password = window.prompt('New password for ' + u.user + ' (12 characters or more)');
            return password ? send('POST', userPath(u.user, 'password'), { password: password })
              .then(() => 'The password of ' + u.user + ' was set.') : Promise.resolve('Nothing changed.');
          }))] }));
      view.replaceChildren(table('users-table', 'Accounts', ['user', 'roles', 'state', 'created', 'last login', ''], rows));
    },

    async audit(view) {
      const refusals = await api('/api/v1/volunteers/refusals' + auditFilter);
      view.replaceChildren(table('audit-table', 'Refused results and bans, newest first', ['when', 'device', 'project', 'round',
        'shard', 'verdict', 'why'], refusals.map(r => ({ cells: [when(r.at), r.providerId, r.projectId, r.round < 0 ? '–' : r.round,
        r.shard < 0 ? '–' : r.shard, r.verdict, r.reason] }))));
    },

    async devices(view) {
      const devices = await api('/api/v1/devices');
      view.replaceChildren(table('devices-table', 'Your devices', ['device', 'name', 'enrolled', 'last seen'],
        devices.map(d => ({ cells: [d.device, d.name || '–', when(d.enrolledAt), when(d.lastSeenAt)] }))));
    },

    async credits(view) {
      const [credits, recent, board] = await Promise.all([api('/api/v1/credits'), api('/api/v1/credits/recent'),
        api('/api/v1/credits/leaderboard')]);
      const total = credits.reduce((a, c) => a + c.amount, 0);
      const tasks = credits.reduce((a, c) => a + c.tasks, 0);
      const h = history.credits;
      h.push({ t: Date.now(), total: total });
      if (h.length > HISTORY) h.shift();
      const t0 = h[0].t;
      view.replaceChildren(
        el('p', { id: 'credits-total' }, 'Total: ' + credit(total) + ' TFLOP of credit for ' + tasks + ' tasks.'),
        chart('chart-credits', 'Credits (TFLOP) while this page is open', 'seconds since this page opened',
          [{ name: 'credit', points: h.map(p => [Math.round((p.t - t0) / 1000), p.total]) }], null, 0),
        table('credits-table', 'Credits by device', ['device', 'tasks', 'credit (TFLOP)'],
          credits.map(c => ({ cells: [c.providerId, c.tasks, credit(c.amount)] }))),
        table('recent-table', 'Recent tasks, newest first', ['when', 'device', 'project', 'round', 'shard', 'credit (TFLOP)'],
          recent.map(t => ({ cells: [when(t.at), t.providerId, t.projectId, t.round, t.shard, credit(t.amount)] }))),
        ...leaderboard(board));
    }
  };

  // a point of the grid's charts; rates from the counters' change since the point before
  function addGridPoint(g, t, online, results, leases) {
    const prev = g.length ? g[g.length - 1] : null;
    const dt = prev ? (t - prev.t) / 1000 : 0;
    g.push({ t: t, online: online, results: results, leases: leases,
      resultsPerSecond: prev && dt > 0 ? Math.max(0, results - prev.results) / dt : 0,
      tasksPerSecond: prev && dt > 0 ? Math.max(0, leases - prev.leases) / dt : 0 });
    while (g.length > 1 && g[0].t < t - 3600000) g.shift();
  }

  // the public list leaves out who opted out; ranks count everyone, so the caller's own stays the same
  function leaderboard(board) {
    const you = board.you;
    const listed = !you || you.listed;
    const rank = !you || you.rank === 0 ? 'You have no rank yet: it comes with your first credit.'
      : 'Your rank: ' + you.rank + ' of ' + board.accounts + ' accounts, '
        + (listed ? 'shown on the public leaderboard.' : 'kept off the public leaderboard (only you see it).');
    return [
      el('h3', null, 'Leaderboard'),
      el('p', { id: 'leaderboard-rank' }, rank),
      button(listed ? 'Keep me off the public leaderboard' : 'Show me on the public leaderboard', 'listing',
        () => send('POST', '/api/v1/credits/leaderboard/me?listed=' + !listed)
          .then(() => listed ? 'You are off the public leaderboard now.' : 'You are on the public leaderboard now.')),
      table('leaderboard-table', 'Credits leaderboard: accounts that did not opt out', ['rank', 'account', 'tasks', 'credit (TFLOP)'],
        board.entries.map(e => ({ cells: [e.rank, you && e.account === you.account ? e.account + ' (you)' : e.account, e.tasks,
          credit(e.credits)] })))];
  }

  function userPath(user, action) {
    return '/api/v1/admin/users/' + encodeURIComponent(user) + '/' + action;
  }

  async function projectsView(view, all) {
    const projects = await api('/api/v1/projects');
    if (selected === null || !projects.some(p => p.id === selected)) selected = projects.length ? projects[0].id : null;
    const control = (p, action) => button(action.charAt(0).toUpperCase() + action.slice(1), action + '-' + p.id,
      () => send('POST', '/api/v1/projects/' + encodeURIComponent(p.id) + '/' + action).then(() => 'Project ' + p.id + ': ' + action + '.'),
      { 'aria-label': action + ' project ' + p.id });
    const rows = projects.map(p => ({ attrs: { 'data-project': p.id, class: p.id === selected ? 'selected' : null }, cells: [
      p.spec.name, p.id, p.state + (p.message ? ': ' + p.message : ''), p.round + ' / ' + p.totalRounds, p.version,
      p.latest ? fmt(p.latest.loss) : '–', p.latest ? fmt(p.latest.accuracy) : '–', p.contributors, duration(p.etaSeconds),
      el('span', { class: 'actions' },
        button('Chart', 'show-' + p.id, () => { selected = p.id; return Promise.resolve('Showing ' + p.id + '.'); },
          { 'aria-label': 'chart and versions of project ' + p.id, 'aria-pressed': p.id === selected ? 'true' : 'false' }),
        p.state === 'RUNNING' ? control(p, 'pause') : null,
        p.state === 'PAUSED' ? control(p, 'resume') : null,
        ['RUNNING', 'PAUSED', 'PREPARING'].includes(p.state) ? control(p, 'cancel') : null)] }));
    const parts = [table('projects-table', all ? 'Projects of every requestor' : 'Your projects (create them with the workbench or daig submit)',
      ['name', 'id', 'state', 'round', 'version', 'validation loss', 'accuracy', 'contributors', 'ETA', ''], rows)];
    if (selected !== null) {
      const p = projects.find(q => q.id === selected);
      const versions = await api('/api/v1/projects/' + encodeURIComponent(selected) + '/versions');
      const base = '/api/v1/projects/' + encodeURIComponent(selected) + '/model?version=';
      parts.push(el('h3', null, 'Project ', el('span', { class: 'name' }, p.spec.name), ' (' + p.id + ')'),
        chart('chart-project', 'Validation loss and accuracy by version', 'version', [
          { name: 'loss', points: versions.map(v => [v.version, v.loss]) },
          { name: 'accuracy', points: versions.map(v => [v.version, v.accuracy]) }]),
        table('versions-table', 'Versions: figures and downloads', ['version', 'round', 'validation loss', 'accuracy', 'train loss',
          'contributors', 'made', 'download'], versions.map(v => ({ attrs: { 'data-version': v.version }, cells: [v.version, v.round,
          fmt(v.loss), fmt(v.accuracy), fmt(v.trainLoss), v.contributors, when(v.at), el('span', { class: 'actions' },
            ['h5', 'keras', 'zip'].map(f => el('a', { href: base + v.version + '&format=' + f, download: true,
              class: 'download', 'data-format': f, 'aria-label': 'version ' + v.version + ' as ' + f }, f)))] }))));
    }
    view.replaceChildren(...parts);
  }

  // ---- navigation and polling ----

  function current() {
    const sections = [...document.querySelectorAll('main section')];
    const wanted = location.hash.substring(1);
    return sections.find(s => s.id === wanted) || sections[0];
  }

  function show() {
    const section = current();
    for (const s of document.querySelectorAll('main section')) s.hidden = s !== section;
    for (const a of document.querySelectorAll('nav a')) {
      if (a.getAttribute('href') === '#' + (section && section.id)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    return section;
  }

  let busy = false;
  async function refresh(force) {
    const section = show();
    if (!section || busy) return;
    busy = true;
    const view = section.querySelector('.view');
    // keep the keyboard where it was: a re-drawn table gets focus back on the same button
    const focused = view.contains(document.activeElement) ? document.activeElement.getAttribute('data-key') : null;
    try {
      const scratch = document.createElement('div');
      await views[section.id](scratch);
      const html = scratch.innerHTML; // only to compare with the last drawing (built from text nodes; never assigned back)
      if (force || lastData[section.id] !== html || section.id === 'overview' || section.id === 'credits') {
        lastData[section.id] = html;
        view.replaceChildren(...scratch.childNodes);
        if (focused) {
          const again = view.querySelector('[data-key="' + CSS.escape(focused) + '"]');
          if (again) again.focus();
        }
      }
      document.body.dataset.updated = String(Date.now());
    } catch (e) {
      say(e.message, true);
    } finally {
      busy = false;
    }
  }

  function wireForms() {
    const create = document.getElementById('create-user');
    if (create) {
      create.addEventListener('submit', ev => {
        ev.preventDefault();
        const f = new FormData(create);
        run(() => send('POST', '/api/v1/admin/users', { user: f.get('user'), password: f.get('password'), roles: f.getAll('roles') })
          .then(u => { create.reset(); return 'Created ' + u.user + '.'; }));
      });
    }
    const code = document.getElementById('enrolment-code');
    if (code) {
      code.addEventListener('submit', ev => {
        ev.preventDefault();
        const f = new FormData(code);
        run(() => send('POST', '/api/v1/admin/enrolment-codes', { user: f.get('user'), uses: Number(f.get('uses')),
          validHours: Number(f.get('validHours')) }).then(c => {
          document.getElementById('form-result').replaceChildren('Enrolment code for ' + c.user + ' (' + c.uses + ' devices, until '
            + when(c.expiresAt) + '): ', el('code', { id: 'new-code' }, c.code));
          return 'Made an enrolment code.';
        }));
      });
    }
    const filter = document.getElementById('audit-filter');
    if (filter) {
      filter.addEventListener('submit', ev => {
        ev.preventDefault();
        const f = new FormData(filter);
        const q = new URLSearchParams();
        for (const k of ['provider', 'verdict']) if (f.get(k)) q.set(k, f.get(k).trim());
        auditFilter = q.toString() ? '?' + q.toString() : '';
        refresh(true);
      });
    }
  }

  window.addEventListener('hashchange', () => {
    refresh(true);
    document.getElementById('main').focus(); // the keyboard follows the link into the section
  });
  wireForms();
  refresh(true);
  setInterval(() => refresh(false), POLL_MS);
  // a hint for tests and people alike: which roles this page was drawn for
  document.body.dataset.admin = String(isAdmin);
}());
