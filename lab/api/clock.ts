// One resourceVersion sequence for every kind, like etcd's revision: a client can compare any two versions.
export class ResourceVersionClock {
  #current: number;

  constructor(start = 1000) {
    this.#current = start;
  }

  get current(): number {
    return this.#current;
  }

  next(): number {
    this.#current += 1;
    return this.#current;
  }
}
