/**
 * How a protobuf message of k8s.io/api maps to its JSON: field number → [json name, type].
 * Types: "string", "int", "bool", "bytes" (base64 in JSON), "time" (metav1.Time), "quantity",
 * "intstr", "map" (map<string,string>), "bytesmap" (map<string,bytes>), "stringlist", or a
 * nested schema; a trailing "[]" repeats it; "!" keeps zero values (optional pointer fields).
 */
export type FieldType = string | MessageSchema;
export type FieldSpec = [name: string, type: FieldType, flags?: "[]" | "!" | "[]!"];

export interface MessageSchema {
  [field: number]: FieldSpec;
}
