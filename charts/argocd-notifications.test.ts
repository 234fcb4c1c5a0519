/**
 * @module The rendered `argocd-notifications-cm`: a webhook whose URL is a reference to the
 * notifications Secret (no URL in git), triggers for sync succeeded, sync failed and drift,
 * each sending a template that exists, and a default subscription of every Application to them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { environmentNames, loadEnvironment } from "../environments";
import { notificationTriggers, opsAlertsService } from "./argocd-notifications";
import { renderEnvironment } from "./render";

for (const name of environmentNames) {
  test(`${name}: sync results and drift go to the Secret-held #ops-alerts webhook`, () => {
    const environment = loadEnvironment(name);
    const configMap = renderEnvironment(environment)
      .map(
        ({ object }) =>
          object as unknown as {
            kind: string;
            metadata: { name: string; namespace: string };
            data: Record<string, string>;
          },
      )
      .find(
        (object) =>
          object.kind === "ConfigMap" && object.metadata.name === "argocd-notifications-cm",
      );
    assert.ok(configMap, "argocd-notifications-cm is rendered");
    assert.is(configMap.metadata.namespace, environment.namespaces.gitops.name);
    const service = parse(configMap.data[`service.webhook.${opsAlertsService}`]!);
    assert.is(service.url, "$ops-alerts-webhook-url");
    assert.not.match(JSON.stringify(configMap.data), /https?:\/\//);
    for (const trigger of ["on-sync-succeeded", "on-sync-failed", "on-out-of-sync"]) {
      const conditions = parse(configMap.data[`trigger.${trigger}`]!);
      assert.is(conditions.length, 1, trigger);
      for (const template of conditions[0].send) {
        const body = parse(configMap.data[`template.${template}`]!).webhook[opsAlertsService].body;
        assert.is(
          JSON.parse(body).environment,
          name,
          `${template} body is JSON naming the environment`,
        );
      }
    }
    assert.match(configMap.data["trigger.on-sync-failed"]!, "['Error', 'Failed']");
    const [subscription] = parse(configMap.data.subscriptions!);
    assert.equal(subscription.triggers, Object.keys(notificationTriggers));
    assert.equal(subscription.recipients, [`${opsAlertsService}:#ops-alerts`]);
  });
}

test.run();
