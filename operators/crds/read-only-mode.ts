/**
 * @module The ReadOnlyMode kind: the handbook's "fall back to read replicas" as a control. While
 * it exists the services in scope refuse every write (503 naming it) and serve reads from their
 * read replica (`DB_READONLY_ENDPOINT`) where one is configured.
 */
import { printerColumns, serviceNameList } from "./common";
import { defineControlKind } from "./kind";

export const readOnlyMode = defineControlKind({
  kind: "ReadOnlyMode",
  plural: "readonlymodes",
  singular: "readonlymode",
  shortNames: ["rom"],
  description:
    "Puts the services in scope in read-only mode while it exists: writes are refused with " +
    "503 naming this control, reads keep working and come from the service's read replica " +
    "(DB_READONLY_ENDPOINT) where it has one, so a primary database outage or maintenance " +
    "does not take reads down. Delete it to return to the primary.",
  oneShot: false,
  fields: {
    services: serviceNameList(
      "The services that go read-only (names from the operator's targets file); at least one.",
    ),
  },
  columns: printerColumns(".status.target"),
  targets: (spec) => spec.services.map((service) => ({ service })),
  rank: () => 1,
});
