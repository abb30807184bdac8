import { describe, expect, it } from "vitest";
import { passwdUid } from "./image-user.js";

describe("passwdUid", () => {
  const passwd =
    "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nbroken:x:abc:1::/:/bin/sh\n";
  it("finds a user's UID by name, and nothing for a name not there or a line without a number", () => {
    expect(passwdUid(passwd, "node")).toBe(1000);
    expect(passwdUid(passwd, "root")).toBe(0);
    expect(passwdUid(passwd, "nobody")).toBeUndefined();
    expect(passwdUid(passwd, "broken")).toBeUndefined();
  });
});
