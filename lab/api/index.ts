// The lab's Kubernetes API server (see design.md "The lab"): what the controller and tests use.
export { startApiServer, type ApiServerHandle, type ApiServerOptions } from './server.js';
export { writeKubeconfig, type KubeconfigInput } from './kubeconfig.js';
export { nodeObject } from './node-object.js';
