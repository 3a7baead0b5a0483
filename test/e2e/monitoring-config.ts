/**
 * Configuration of the real monitoring stack the scenario runs: Prometheus
 * scraping the model server every second and evaluating the rendered rules
 * every second, and Alertmanager sending to the bot's `/api/alerts` with a
 * bearer token and no group wait.
 */
import { stringify } from "yaml";

/** Prometheus's configuration file. */
export function renderPrometheusConfig(input: {
  server: string;
  alertmanager: string;
  rulesFile: string;
}): string {
  return stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "900ms" },
    rule_files: [input.rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanager] }] }] },
    scrape_configs: [{ job_name: "model-server", static_configs: [{ targets: [input.server] }] }],
  });
}

/** Alertmanager's configuration file. */
export function renderAlertmanagerConfig(input: { webhookUrl: string; token: string }): string {
  return stringify({
    route: {
      receiver: "meta-controller",
      group_by: ["alertname", "environment"],
      group_wait: "0s",
      group_interval: "1s",
      repeat_interval: "1h",
    },
    receivers: [
      {
        name: "meta-controller",
        webhook_configs: [
          {
            url: input.webhookUrl,
            send_resolved: true,
            http_config: { authorization: { type: "Bearer", credentials: input.token } },
          },
        ],
      },
    ],
  });
}
