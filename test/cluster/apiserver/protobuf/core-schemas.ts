import { labelSelector, objectMeta } from "./meta-schemas.js";
import type { MessageSchema } from "./message-schema.js";

// Field numbers from k8s.io/api/core/v1 and apps/v1 generated.proto.
const envVar: MessageSchema = {
  1: ["name", "string"],
  2: ["value", "string"],
  3: [
    "valueFrom",
    {
      1: ["fieldRef", { 1: ["apiVersion", "string"], 2: ["fieldPath", "string"] }],
      2: [
        "resourceFieldRef",
        { 1: ["containerName", "string"], 2: ["resource", "string"], 3: ["divisor", "quantity"] },
      ],
      3: [
        "configMapKeyRef",
        { 1: ["", { 1: ["name", "string"] }], 2: ["key", "string"], 3: ["optional", "bool", "!"] },
      ],
      4: [
        "secretKeyRef",
        { 1: ["", { 1: ["name", "string"] }], 2: ["key", "string"], 3: ["optional", "bool", "!"] },
      ],
    },
  ],
};

const resources: MessageSchema = { 1: ["limits", "quantitymap"], 2: ["requests", "quantitymap"] };

const container: MessageSchema = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "string", "[]"],
  4: ["args", "string", "[]"],
  5: ["workingDir", "string"],
  6: [
    "ports",
    {
      1: ["name", "string"],
      2: ["hostPort", "int"],
      3: ["containerPort", "int"],
      4: ["protocol", "string"],
      5: ["hostIP", "string"],
    },
    "[]",
  ],
  7: ["env", envVar, "[]"],
  8: ["resources", resources],
  9: [
    "volumeMounts",
    { 1: ["name", "string"], 2: ["readOnly", "bool"], 3: ["mountPath", "string"], 4: ["subPath", "string"] },
    "[]",
  ],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  16: ["stdin", "bool"],
  17: ["stdinOnce", "bool"],
  18: ["tty", "bool"],
  20: ["terminationMessagePolicy", "string"],
};

const podSpec: MessageSchema = {
  2: ["containers", container, "[]"],
  3: ["restartPolicy", "string"],
  4: ["terminationGracePeriodSeconds", "int", "!"],
  6: ["dnsPolicy", "string"],
  7: ["nodeSelector", "map"],
  8: ["serviceAccountName", "string"],
  9: ["serviceAccount", "string"],
  10: ["nodeName", "string"],
  11: ["hostNetwork", "bool"],
  16: ["hostname", "string"],
  17: ["subdomain", "string"],
  19: ["schedulerName", "string"],
  20: ["initContainers", container, "[]"],
  21: ["automountServiceAccountToken", "bool", "!"],
  30: ["enableServiceLinks", "bool", "!"],
};

const podTemplateSpec: MessageSchema = { 1: ["metadata", objectMeta], 2: ["spec", podSpec] };

export const pod: MessageSchema = { 1: ["metadata", objectMeta], 2: ["spec", podSpec] };

export const namespace: MessageSchema = {
  1: ["metadata", objectMeta],
  2: ["spec", { 1: ["finalizers", "string", "[]"] }],
};

export const configMap: MessageSchema = {
  1: ["metadata", objectMeta],
  2: ["data", "map"],
  3: ["binaryData", "bytesmap"],
  4: ["immutable", "bool", "!"],
};

export const secret: MessageSchema = {
  1: ["metadata", objectMeta],
  2: ["data", "bytesmap"],
  3: ["type", "string"],
  4: ["stringData", "map"],
  5: ["immutable", "bool", "!"],
};

export const serviceAccount: MessageSchema = {
  1: ["metadata", objectMeta],
  3: ["imagePullSecrets", { 1: ["name", "string"] }, "[]"],
  4: ["automountServiceAccountToken", "bool", "!"],
};

export const service: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: [
        "ports",
        {
          1: ["name", "string"],
          2: ["protocol", "string"],
          3: ["port", "int"],
          4: ["targetPort", "intstr"],
          5: ["nodePort", "int"],
          6: ["appProtocol", "string"],
        },
        "[]",
      ],
      2: ["selector", "map"],
      3: ["clusterIP", "string"],
      4: ["type", "string"],
      5: ["externalIPs", "string", "[]"],
      7: ["sessionAffinity", "string"],
      10: ["externalName", "string"],
      13: ["publishNotReadyAddresses", "bool"],
      18: ["clusterIPs", "string", "[]"],
    },
  ],
};

export const deployment: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["replicas", "int", "!"],
      2: ["selector", labelSelector],
      3: ["template", podTemplateSpec],
      4: [
        "strategy",
        {
          1: ["type", "string"],
          2: ["rollingUpdate", { 1: ["maxUnavailable", "intstr"], 2: ["maxSurge", "intstr"] }],
        },
      ],
      5: ["minReadySeconds", "int"],
      6: ["revisionHistoryLimit", "int", "!"],
      7: ["paused", "bool"],
      9: ["progressDeadlineSeconds", "int", "!"],
    },
  ],
};

export const hpaV1: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["scaleTargetRef", { 1: ["kind", "string"], 2: ["name", "string"], 3: ["apiVersion", "string"] }],
      2: ["minReplicas", "int", "!"],
      3: ["maxReplicas", "int"],
      4: ["targetCPUUtilizationPercentage", "int", "!"],
    },
  ],
};

const quantityMap = "quantitymap";

export const resourceQuota: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["hard", quantityMap],
      2: ["scopes", "string", "[]"],
      3: [
        "scopeSelector",
        {
          1: [
            "matchExpressions",
            { 1: ["scopeName", "string"], 2: ["operator", "string"], 3: ["values", "string", "[]"] },
            "[]",
          ],
        },
      ],
    },
  ],
};

export const limitRange: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: [
        "limits",
        {
          1: ["type", "string"],
          2: ["max", quantityMap],
          3: ["min", quantityMap],
          4: ["default", quantityMap],
          5: ["defaultRequest", quantityMap],
          6: ["maxLimitRequestRatio", quantityMap],
        },
        "[]",
      ],
    },
  ],
};
