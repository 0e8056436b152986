// The whole Connect onboarding flow through the official stripe npm package, against the
// standalone served fake (python -m pytest_account_links serve), as a Node team would
// test it: create an account, make an Account Link, visit the hosted page (POST its
// control, as a browser submits the form), retrieve the account, and receive the webhooks
// on a Node http server on 127.0.0.1, parsed with parseEventNotification, fetchEvent and
// fetchRelatedObject. Prints one JSON line: what it saw. tests/test_node.py runs it.
//
// Environment: STRIPE_API_BASE (http://127.0.0.1:<port>), STRIPE_API_KEY, WEBHOOK_PORT
// (where the served fake was told to POST its events: --webhook-url).
import http from "node:http";
import Stripe from "stripe";

const base = new URL(process.env.STRIPE_API_BASE);
const stripe = new Stripe(process.env.STRIPE_API_KEY, {
  host: base.hostname,
  port: Number(base.port),
  protocol: "http",
  maxNetworkRetries: 0,
  timeout: 10_000,
});

// -- the webhook endpoint -----------------------------------------------------------------
const received = [];
let wake = () => {};
const endpoint = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    received.push({
      path: request.url,
      payload: Buffer.concat(chunks).toString("utf8"),
      signature: request.headers["stripe-signature"],
    });
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end('{"received":true}');
    wake();
  });
});
await new Promise((resolve) =>
  endpoint.listen(Number(process.env.WEBHOOK_PORT), "127.0.0.1", resolve),
);

async function eventsUntil(type, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (!received.some((one) => JSON.parse(one.payload).type === type)) {
    if (Date.now() > deadline) {
      throw new Error(`no ${type} webhook within ${seconds}s; got ${received.length}`);
    }
    await new Promise((resolve) => {
      wake = resolve;
      setTimeout(resolve, 100);
    });
  }
}

try {
  // The secret the fake signs with, as its health endpoint (and its first lines) say.
  const health = await (await fetch(new URL("/_account_links/health", base))).json();

  // -- 1. the account, and its link ----------------------------------------------------
  const account = await stripe.v2.core.accounts.create({
    display_name: "Kunstwerk",
    contact_email: "hallo@kunstwerk.example",
    identity: { country: "us", entity_type: "company" },
    configuration: {
      recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } },
    },
    include: ["requirements"],
  });
  const link = await stripe.v2.core.accountLinks.create({
    account: account.id,
    use_case: {
      type: "account_onboarding",
      account_onboarding: {
        refresh_url: "https://kunstwerk.example/reauth",
        return_url: "https://kunstwerk.example/return",
      },
    },
  });

  // -- 2. the seller on the hosted page: load it, submit "Complete onboarding" ----------
  const page = await fetch(link.url);
  const html = await page.text();
  // As the page's script does: the token from the fragment, the link's state (and the
  // form's token) from the server, then the form submitted from the page's origin.
  const token = new URL(link.url).hash.slice(1);
  const shown = await (await fetch(new URL(`/_account_links/links/${token}`, base))).json();
  const submitted = await fetch(new URL("/_account_links/visit", base), {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: base.origin,
    },
    body: new URLSearchParams({
      account: account.id,
      token,
      form_token: shown.form_token,
      outcome: "completed",
    }),
    redirect: "manual",
  });

  // -- 3. back on return_url: the platform reads the account -----------------------------
  const done = await stripe.v2.core.accounts.retrieve(account.id, {
    include: ["requirements", "configuration.recipient"],
  });

  // -- 4. the webhooks, parsed and fetched as a Node webhook handler does ---------------
  await eventsUntil("v2.core.account_link.returned");
  const events = [];
  for (const one of received) {
    const notification = stripe.parseEventNotification(
      one.payload,
      one.signature,
      health.webhook_secret,
    );
    const event = await notification.fetchEvent();
    const related = notification.related_object ? await notification.fetchRelatedObject() : null;
    events.push({
      id: notification.id,
      type: notification.type,
      path: one.path,
      fetched_type: event.type,
      related: related ? related.id : null,
    });
  }
  let forged = null;
  try {
    stripe.parseEventNotification(received[0].payload, "t=1,v1=forged", health.webhook_secret);
  } catch (problem) {
    forged = problem.type || problem.constructor.name;
  }

  console.log(
    JSON.stringify({
      account: account.id,
      due_at_first: account.requirements.entries.length,
      link: link.url,
      page_status: page.status,
      page_is_the_hosted_page: html.includes('data-testid="account-links-controls"'),
      link_state: shown.state,
      visit_status: submitted.status,
      visit_location: submitted.headers.get("location"),
      due_after: done.requirements.entries.length,
      transfers: done.configuration.recipient.capabilities.stripe_balance.stripe_transfers.status,
      events,
      forged,
    }),
  );
} finally {
  endpoint.close();
  endpoint.closeAllConnections();
}
