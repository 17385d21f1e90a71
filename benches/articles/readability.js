// Mozilla Readability over saved pages, one process: prints one JSON line per page
// {"file", "text", "seconds"} (used by compare.py).
const fs = require("fs");
const { JSDOM, VirtualConsole } = require("jsdom");
const { Readability } = require("@mozilla/readability");
for (const file of process.argv.slice(2)) {
  const html = fs.readFileSync(file, "utf8");
  const start = process.hrtime.bigint();
  let text = "";
  try {
    const dom = new JSDOM(html, { url: "http://realweb.test/page.html", virtualConsole: new VirtualConsole() });
    const article = new Readability(dom.window.document).parse();
    text = article ? article.textContent : "";
  } catch (e) {
    text = "";
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ file, text, seconds }) + "\n");
}
