// Checks a built brief site in headless Chromium, as readers' browsers see it:
//   node check.mjs SITE_DIR
// - axe-core: no serious or critical violation on any page, in light and in dark mode;
// - a 390 px wide phone: no horizontal scrolling on any page;
// - print: navigation hidden;
// - no request leaves the site, from file:// and served under a sub-path;
// - the index page weighs under 100 KB with everything it loads;
// - search loads its index only when the reader searches, finds paragraphs from file://, and
//   its results link to existing anchors;
// - screenshots at phone and desktop widths in screenshots/.
// Exits non-zero with a list of failures.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync, mkdirSync, existsSync } from "node:fs";
import { join, relative, extname, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const site = resolve(process.argv[2] || "public");
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const shots = join(here, "screenshots");
mkdirSync(shots, { recursive: true });
const failures = [];
const fail = (msg) => { failures.push(msg); console.log("FAIL " + msg); };

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
const pages = walk(site).filter((p) => p.endsWith(".html")).sort();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

// Every request must stay on the page's own origin (file:// or the local server).
function guard(page, allowed) {
  page.on("request", (req) => {
    const url = req.url();
    if (!allowed(url)) fail(`${page.url()}: request leaves the site: ${url}`);
  });
}

async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) {
    fail(`${label}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0].target})`);
  }
  return bad.length;
}

let axeRuns = 0;
for (const scheme of ["light", "dark"]) {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
  for (const file of pages) {
    const page = await context.newPage();
    guard(page, (u) => u.startsWith("file://") || u.startsWith("data:"));
    await page.goto(pathToFileURL(file).href);
    await axe(page, `${relative(site, file)} (${scheme})`);
    axeRuns++;
    await page.close();
  }
  await context.close();
}

// Phone width: nothing wider than the screen.
const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
for (const file of pages) {
  const page = await phone.newPage();
  await page.goto(pathToFileURL(file).href);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 390) fail(`${relative(site, file)}: ${width} px wide on a 390 px phone`);
  await page.close();
}
await phone.close();

// Screenshots of the main page kinds at both widths.
const kinds = ["index.html", pages.map((p) => relative(site, p)).find((p) => p.startsWith("topics/")),
  pages.map((p) => relative(site, p)).find((p) => p.startsWith("sources/"))].filter(Boolean);
for (const [name, width] of [["phone", 390], ["desktop", 1280]]) {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
    for (const rel of kinds) {
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(site, rel)).href);
      const out = join(shots, `${rel.replace(/\/index\.html$|\.html$/, "").replace(/\//g, "-")}-${name}-${scheme}.png`);
      await page.screenshot({ path: out, fullPage: true });
      await page.close();
    }
    await context.close();
  }
}

// Print: navigation hidden, links' targets printed.
{
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(site, "index.html")).href);
  await page.emulateMedia({ media: "print" });
  const navShown = await page.evaluate(() =>
    [...document.querySelectorAll("header nav, .skip-link")].some((n) => getComputedStyle(n).display !== "none"));
  if (navShown) fail("print: navigation is still shown");
  await page.pdf({ path: join(shots, "index-print.pdf") });
  await page.close();
}

// Served under a sub-path by a plain static server: all requests stay local and resolve.
const types = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
  ".xml": "application/xml", ".txt": "text/plain" };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const prefix = "/some/sub/path/";
  let file = path.startsWith(prefix) ? join(site, path.slice(prefix.length)) : null;
  if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  if (!file || !file.startsWith(site) || !existsSync(file)) { res.writeHead(404); res.end("not found"); return; }
  res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/some/sub/path/`;
{
  const context = await browser.newContext();
  let indexBytes = 0;
  for (const file of pages) {
    const page = await context.newPage();
    guard(page, (u) => u.startsWith(base) || u.startsWith("data:"));
    const isIndex = relative(site, file) === "index.html";
    const bodies = [];
    page.on("response", (res) => {
      if (res.status() >= 400) fail(`sub-path ${relative(site, file)}: ${res.status()} for ${res.url()}`);
      if (isIndex) bodies.push(res.body().then((b) => b.length, () => 0));
    });
    await page.goto(base + relative(site, file), { waitUntil: "networkidle" });
    if (isIndex) indexBytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
    await page.close();
  }
  // Follow every link of the index once: none may 404 under the sub-path.
  const page = await context.newPage();
  await page.goto(base + "index.html");
  const hrefs = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => a.href)
    .filter((h) => h.startsWith(location.origin)));
  for (const href of new Set(hrefs.map((h) => h.split("#")[0]))) {
    const res = await page.request.get(href);
    if (res.status() !== 200) fail(`sub-path link ${href}: ${res.status()}`);
  }
  await page.close();
  await context.close();
  console.log(`index page weight: ${indexBytes} bytes with everything it loads`);
  if (indexBytes === 0 || indexBytes > 100 * 1024) fail(`index page weight ${indexBytes} bytes (limit 100 KB)`);
}
server.close();

// Search from file://: the page fetches no part of the index until the reader searches; a
// search loads every part, and its results appear and link to existing anchors.
const searchPage = join(site, "search/index.html");
if (existsSync(searchPage)) {
  const page = await browser.newPage();
  // The index comes in parts, one script each (search/<outlet>[-<id>].js), listed by the form:
  // take a word from the first.
  const listed = ((readFileSync(searchPage, "utf8").match(/data-search-parts="([^"]*)"/) || [])[1] || "")
    .split(" ").filter(Boolean);
  if (listed.length === 0) fail("search: the page lists no part of the index");
  const index = listed.length ? readFileSync(join(site, listed[0]), "utf8") : "";
  const firstWord = (index.match(/"docs":\[\["([A-Za-z]{5,})/) || [])[1];
  const partsLoaded = () => page.evaluate(() => document.querySelectorAll("script[data-part]").length);
  await page.goto(pathToFileURL(searchPage).href);
  if ((await partsLoaded()) !== 0) fail("search: parts of the index load before any search");
  await page.goto(pathToFileURL(searchPage).href + "?q=" + encodeURIComponent(firstWord || "the"));
  const status = "[data-search-status]";
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return !el.hasAttribute("aria-busy") && / found/.test(el.textContent);
  }, status, { timeout: 20000 }).catch(() => fail("search: the search did not finish"));
  if ((await partsLoaded()) !== listed.length) fail(`search: ${await partsLoaded()} of ${listed.length} parts loaded`);
  const said = await page.evaluate((s) => document.querySelector(s).textContent, status);
  if (/could not be loaded/.test(said)) fail(`search: ${said}`);
  const links = await page.evaluate(() => [...document.querySelectorAll("[data-search-results] a")].map((a) => a.href));
  if (links.length === 0) fail(`search: no results for "${firstWord}" from file://`);
  for (const link of links.slice(0, 10)) {
    const [path, anchor] = [fileURLToPath(link.split("#")[0]), link.split("#")[1]];
    const html = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (!html.includes(`id="${anchor}"`)) fail(`search result ${link} does not resolve`);
  }
  await page.close();
}

await browser.close();
console.log(`checked ${pages.length} pages: axe in light and dark (${axeRuns} runs), 390 px layout, print, sub-path, search`);
console.log(`screenshots in ${relative(process.cwd(), shots) || shots}`);
if (failures.length) {
  console.log(`${failures.length} problem(s)`);
  process.exit(1);
}
