import { execFileSync } from "node:child_process";

/**
 * End-to-end tests need a Docker engine, the built CLI, the images and the test cluster. Building is idempotent and
 * takes a couple of seconds when nothing changed; installing Docker is left to
 * scripts/ensure-docker.sh (tests never install anything).
 */
export default function setup(): void {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore" });
  } catch {
    throw new Error("no Docker engine answers: run `bash scripts/ensure-docker.sh` (as root) first");
  }
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  execFileSync("npm", ["run", "--silent", "images"], { stdio: "inherit" });
  // Idempotent: a healthy cluster running the current image is left alone.
  execFileSync("npm", ["run", "--silent", "cluster:up"], { stdio: "inherit" });
}
