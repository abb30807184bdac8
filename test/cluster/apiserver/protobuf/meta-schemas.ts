import type { MessageSchema } from "./message-schema.js";

// Field numbers from k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
export const ownerReference: MessageSchema = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool", "!"],
  7: ["blockOwnerDeletion", "bool", "!"],
};

export const objectMeta: MessageSchema = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  5: ["uid", "string"],
  6: ["resourceVersion", "string"],
  7: ["generation", "int"],
  10: ["deletionGracePeriodSeconds", "int", "!"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  13: ["ownerReferences", ownerReference, "[]"],
  14: ["finalizers", "string", "[]"],
};

export const labelSelector: MessageSchema = {
  1: ["matchLabels", "map"],
  2: [
    "matchExpressions",
    { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", "[]"] },
    "[]",
  ],
};

export const deleteOptions: MessageSchema = {
  1: ["gracePeriodSeconds", "int", "!"],
  2: ["preconditions", { 1: ["uid", "string"], 2: ["resourceVersion", "string"] }],
  3: ["orphanDependents", "bool", "!"],
  4: ["propagationPolicy", "string"],
  5: ["dryRun", "string", "[]"],
};

const resourceAttributes: MessageSchema = {
  1: ["namespace", "string"],
  2: ["verb", "string"],
  3: ["group", "string"],
  4: ["version", "string"],
  5: ["resource", "string"],
  6: ["subresource", "string"],
  7: ["name", "string"],
};
const nonResourceAttributes: MessageSchema = { 1: ["path", "string"], 2: ["verb", "string"] };

export const selfSubjectAccessReview: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    { 1: ["resourceAttributes", resourceAttributes], 2: ["nonResourceAttributes", nonResourceAttributes] },
  ],
};

export const subjectAccessReview: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["resourceAttributes", resourceAttributes],
      2: ["nonResourceAttributes", nonResourceAttributes],
      3: ["user", "string"],
      4: ["groups", "string", "[]"],
      6: ["uid", "string"],
    },
  ],
};

export const tokenRequest: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["audiences", "string", "[]"],
      4: ["expirationSeconds", "int", "!"],
      3: [
        "boundObjectRef",
        { 1: ["kind", "string"], 2: ["apiVersion", "string"], 3: ["name", "string"], 4: ["uid", "string"] },
      ],
    },
  ],
};

export const tokenReview: MessageSchema = {
  1: ["metadata", objectMeta],
  2: ["spec", { 1: ["token", "string"], 2: ["audiences", "string", "[]"] }],
};

export const selfSubjectReview: MessageSchema = { 1: ["metadata", objectMeta] };

const policyRule: MessageSchema = {
  1: ["verbs", "string", "[]"],
  2: ["apiGroups", "string", "[]"],
  3: ["resources", "string", "[]"],
  4: ["resourceNames", "string", "[]"],
  5: ["nonResourceURLs", "string", "[]"],
};

export const role: MessageSchema = { 1: ["metadata", objectMeta], 2: ["rules", policyRule, "[]"] };
export const clusterRole: MessageSchema = {
  1: ["metadata", objectMeta],
  2: ["rules", policyRule, "[]"],
  3: ["aggregationRule", { 1: ["clusterRoleSelectors", labelSelector, "[]"] }],
};
export const roleBinding: MessageSchema = {
  1: ["metadata", objectMeta],
  2: [
    "subjects",
    { 1: ["kind", "string"], 2: ["apiGroup", "string"], 3: ["name", "string"], 4: ["namespace", "string"] },
    "[]",
  ],
  3: ["roleRef", { 1: ["apiGroup", "string"], 2: ["kind", "string"], 3: ["name", "string"] }],
};
