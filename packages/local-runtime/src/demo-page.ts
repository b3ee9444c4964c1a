/**
 * `GET /demo` (local only): a landing page whose form `demo` is enhanced by `/embed.js`, the way a
 * customer's site would use it. Without JavaScript the same form posts to the API as plain HTML.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Book a demo · Northwind Robotics</title>
<link rel="icon" href="data:,">
<style>
  :root { --ink: #14213d; --muted: #5b6475; --line: #d5dae3; --accent: #1f6feb; --accent-dark: #1858bd; --bad: #c62828; --good: #1b7f4b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: linear-gradient(160deg, #eef3fb 0%, #f8fafc 55%, #fff 100%); min-height: 100vh; }
  header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
  header { display: flex; align-items: center; gap: 10px; padding-top: 24px; font-weight: 700; font-size: 18px; }
  header .mark { width: 28px; height: 28px; border-radius: 8px; background: var(--accent); display: grid; place-items: center; color: #fff; font-size: 15px; }
  main { display: grid; grid-template-columns: 1.1fr 1fr; gap: 56px; align-items: start; padding-top: 48px; padding-bottom: 48px; }
  h1 { font-size: 40px; line-height: 1.15; margin: 0 0 16px; letter-spacing: -0.02em; }
  .lead { font-size: 18px; color: var(--muted); margin: 0 0 28px; }
  ul.points { list-style: none; padding: 0; margin: 0 0 32px; }
  ul.points li { padding-left: 30px; margin-bottom: 12px; position: relative; }
  ul.points li::before { content: "✓"; position: absolute; left: 0; top: 0; width: 20px; height: 20px; border-radius: 50%; background: #dbe7fd; color: var(--accent); font-size: 12px; font-weight: 700; display: grid; place-items: center; margin-top: 2px; }
  blockquote { margin: 0; padding: 16px 20px; border-left: 3px solid var(--accent); background: #fff; border-radius: 0 10px 10px 0; color: var(--muted); box-shadow: 0 1px 2px rgba(20, 33, 61, 0.06); }
  blockquote cite { display: block; margin-top: 8px; font-style: normal; font-size: 14px; color: var(--ink); font-weight: 600; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 28px; box-shadow: 0 12px 32px rgba(20, 33, 61, 0.08); }
  .card h2 { margin: 0 0 4px; font-size: 22px; }
  .card > p { margin: 0 0 20px; color: var(--muted); font-size: 15px; }
  form { position: relative; }
  .field { margin-bottom: 16px; }
  .row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
  label { display: block; font-size: 14px; font-weight: 600; margin-bottom: 6px; }
  label .optional { font-weight: 400; color: var(--muted); }
  input, select, textarea { width: 100%; font: inherit; color: inherit; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; background: #fff; transition: border-color .15s, box-shadow .15s; }
  textarea { resize: vertical; min-height: 96px; }
  input:focus, select:focus, textarea:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px rgba(31, 111, 235, 0.18); }
  [aria-invalid="true"], [aria-invalid="true"]:focus { border-color: var(--bad); }
  [aria-invalid="true"]:focus { box-shadow: 0 0 0 3px rgba(198, 40, 40, 0.18); }
  .leads-error { display: block; margin-top: 6px; font-size: 13px; color: var(--bad); }
  .leads-message { margin: 0 0 14px; padding: 10px 12px; border-radius: 8px; background: #fdecea; color: var(--bad); font-size: 14px; }
  button { width: 100%; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; padding: 12px 16px; cursor: pointer; transition: background .15s; }
  button:hover { background: var(--accent-dark); }
  button:disabled { opacity: .6; cursor: progress; }
  label.consent { display: flex; gap: 10px; align-items: flex-start; margin: 4px 0 18px; font-size: 13px; font-weight: 400; color: var(--muted); cursor: pointer; }
  label.consent input { width: 16px; height: 16px; margin: 2px 0 0; flex: none; accent-color: var(--accent); }
  .success { text-align: center; padding: 24px 8px; outline: none; }
  .success .tick { width: 52px; height: 52px; border-radius: 50%; background: #e3f4ea; color: var(--good); font-size: 26px; display: grid; place-items: center; margin: 0 auto 14px; }
  .success h3 { margin: 0 0 6px; font-size: 20px; }
  .success p { margin: 0; color: var(--muted); }
  .leads-success { color: var(--good); font-weight: 600; }
  footer { padding-bottom: 32px; font-size: 13px; color: var(--muted); }
  footer a { color: inherit; }
  @media (max-width: 820px) { main { grid-template-columns: 1fr; gap: 32px; padding-top: 28px; } h1 { font-size: 30px; } }
  @media (max-width: 480px) { .row { grid-template-columns: 1fr; } .card { padding: 20px; } }
</style>
</head>
<body>
<header><span class="mark" aria-hidden="true">N</span> Northwind Robotics</header>
<main>
  <section>
    <h1>See your warehouse pick twice as fast</h1>
    <p class="lead">Book a 30-minute demo with a robotics specialist. We will walk through your layout, your volumes and what a pilot would look like.</p>
    <ul class="points">
      <li>Autonomous picking robots that work alongside your team</li>
      <li>Live in weeks, without changing your racking</li>
      <li>A specialist replies within the hour on business days</li>
    </ul>
    <blockquote>“We doubled our lines picked per hour in the first quarter, with the same team.”<cite>Operations director, Harbor Foods</cite></blockquote>
  </section>
  <section class="card" aria-labelledby="form-title">
    <h2 id="form-title">Book a demo</h2>
    <p>Tell us a little about you and we will be in touch.</p>
    <form data-leads-form="demo" action="/forms/demo/submissions" method="post">
      <div class="field">
        <label for="name">Full name</label>
        <input id="name" name="name" type="text" autocomplete="name" maxlength="200" required>
      </div>
      <div class="field">
        <label for="email">Work email</label>
        <input id="email" name="email" type="email" autocomplete="email" maxlength="254" required>
      </div>
      <div class="row">
        <div class="field">
          <label for="phone">Phone <span class="optional">(optional)</span></label>
          <input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="40">
        </div>
        <div class="field">
          <label for="company">Company <span class="optional">(optional)</span></label>
          <input id="company" name="company" type="text" autocomplete="organization" maxlength="200">
        </div>
      </div>
      <div class="field">
        <label for="company_size">Company size <span class="optional">(optional)</span></label>
        <select id="company_size" name="company_size">
          <option value="">Choose…</option>
          <option value="1-10">1-10 people</option>
          <option value="11-50">11-50 people</option>
          <option value="51-200">51-200 people</option>
          <option value="201-1000">201-1000 people</option>
          <option value="1000+">1000+ people</option>
        </select>
      </div>
      <div class="field">
        <label for="message">What would you like to see? <span class="optional">(optional)</span></label>
        <textarea id="message" name="message" rows="4" maxlength="2000"></textarea>
      </div>
      <label class="consent"><input type="checkbox" name="consent" value="true"> I agree that Northwind may contact me about its products.</label>
      <button type="submit">Book my demo</button>
      <div class="success" data-leads-success hidden>
        <div class="tick" aria-hidden="true">✓</div>
        <h3>Thank you, we have your request</h3>
        <p>A specialist will be in touch within the hour.</p>
      </div>
    </form>
  </section>
</main>
<footer>Local demo page of Leadflow, served by <code>npm start</code> only. Watch the lead go through: <a href="/_local/events">/_local/events</a> · <a href="/_local/outbox">/_local/outbox</a></footer>
<script src="/embed.js" defer></script>
</body>
</html>
`;
}
