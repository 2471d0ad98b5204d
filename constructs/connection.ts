import type { IConstruct } from 'constructs';
import type { ServicePort } from './app-service';
import type { Environment } from './environment';
import type { Project } from './project';
import type { ConnectOptions } from './service-options';
import type { Tenant } from './tenant';

/** Where the pods behind a connection target are, for network policies. */
export type ConnectionPeer =
  | {
      /** The pods of a service. */
      readonly kind: 'pods';
      /** The service's name, which its pods are selected by. */
      readonly podName: string;
    }
  | {
      /** Addresses outside the cluster. */
      readonly kind: 'addresses';
      /** The networks, as CIDRs. */
      readonly cidrs: readonly string[];
    }
  | {
      /** Anywhere (a DNS name without known networks). */
      readonly kind: 'anywhere';
    };

/** What another service can connect to: an app service or a stateful service. */
export interface IConnectable extends IConstruct {
  /** The name of the Kubernetes Service consumers connect to. */
  readonly name: string;
  /** The project it belongs to. */
  readonly project: Project;
  /** The tenants other than its own whose services may connect to it. */
  readonly acceptedTenants: readonly Tenant[];
  /**
   * A port by name or Service port number; the first port when none is named.
   * @param ref a port name or number
   */
  findPort(ref: string | number | undefined): ServicePort | undefined;
  /**
   * Where its pods (or addresses) are in an environment, and the port they listen on for a Service port.
   * @param environment the environment
   * @param port the Service port
   */
  peerIn(
    environment: Environment,
    port: ServicePort,
  ): {
    /** Where the target is. */
    readonly peer: ConnectionPeer;
    /** The port its pods or machines listen on. */
    readonly port: number;
    /** The port's protocol. */
    readonly protocol: string;
  };
}

/** One declared dependency: a consumer connects to a target. */
export interface Connection {
  /** The target. */
  readonly target: IConnectable;
  /** Port and variable prefix. */
  readonly options: ConnectOptions;
}

/**
 * The default prefix of a connection's environment variables: the target's name in upper case, "-" as "_".
 * @param name the target's name
 */
export function defaultEnvPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * The DNS name of a Service in a namespace, the address consumers get.
 * @param service the Service's name
 * @param namespace its namespace
 */
export function serviceAddress(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}
