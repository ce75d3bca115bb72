import { SoapClient, VimFault } from './soap-client';
import { MoRef, child, children, moRef, text, type SoapObject, type XmlNode } from './xml';

/** One object of a property retrieval: its reference and the `val` element of each property asked for. */
export interface ObjectProps {
  obj: MoRef;
  props: Map<string, XmlNode>;
}

export class TaskTimeout extends Error {}

/** vCenter no longer knows a task it started (it restarted, losing its tasks): whether it did its work is unknown. */
export class TaskLost extends Error {}

/** The PropertyCollector and task calls the adapter is made of, over one SoapClient. */
export class Vim {
  constructor(readonly soap: SoapClient) {}

  /**
   * Properties of every object of `type` under `container` (recursive), through a ContainerView
   * and RetrievePropertiesEx, following ContinueRetrievePropertiesEx while vCenter pages the result.
   * The view is destroyed afterwards (views are per session and cost vCenter memory).
   */
  async listUnder(container: MoRef, type: string, paths: string[]): Promise<ObjectProps[]> {
    try {
      return await this.listOnce(container, type, paths);
    } catch (err) {
      // a view belongs to its session: one lost between creating and reading it is made again
      if (!(err instanceof VimFault && err.fault === 'ManagedObjectNotFound')) throw err;
      return this.listOnce(container, type, paths);
    }
  }

  private async listOnce(container: MoRef, type: string, paths: string[]): Promise<ObjectProps[]> {
    const { viewManager } = await this.soap.content();
    const created = await this.soap.call('CreateContainerView', viewManager, { container, type: [type], recursive: true });
    const view = moRef(child(created, 'returnval'))!;
    try {
      return await this.retrieve({
        propSet: [{ type, pathSet: paths }],
        objectSet: [{ obj: view, skip: true, selectSet: [{ $type: 'TraversalSpec', type: 'ContainerView', path: 'view', skip: false }] }],
      });
    } finally {
      await this.soap.call('DestroyView', view).catch(() => undefined);
    }
  }

  /** Properties of one object; null when it no longer exists. */
  async get(obj: MoRef, paths: string[]): Promise<ObjectProps | null> {
    try {
      const [found] = await this.retrieve({ propSet: [{ type: obj.type, pathSet: paths }], objectSet: [{ obj, skip: false }] });
      return found ?? null;
    } catch (err) {
      if (err instanceof VimFault && err.fault === 'ManagedObjectNotFound') return null;
      throw err;
    }
  }

  /**
   * vCenter refuses a retrieval without a session with a NotAuthenticated fault (handled by the
   * client); vcsim answers it with each property missing for NotAuthenticated instead.
   */
  private async retrieve(specSet: SoapObject): Promise<ObjectProps[]> {
    try {
      return await this.retrievePages(specSet);
    } catch (err) {
      if (!(err instanceof VimFault && err.fault === 'NotAuthenticated')) throw err;
      this.soap.forgetSession();
      return this.retrievePages(specSet);
    }
  }

  private async retrievePages(specSet: SoapObject): Promise<ObjectProps[]> {
    const { propertyCollector } = await this.soap.content();
    const objects: ObjectProps[] = [];
    let result = child(
      await this.soap.call('RetrievePropertiesEx', propertyCollector, { specSet, options: { maxObjects: 1000 } }),
      'returnval',
    );
    for (;;) {
      for (const o of children(result, 'objects')) {
        const props = new Map<string, XmlNode>();
        for (const p of children(o, 'propSet')) props.set(text(p, 'name') ?? '', child(p, 'val')!);
        const refused = children(o, 'missingSet').find((m) => child(m, 'fault')?.children.some((f) => f.xsiType === 'NotAuthenticated'));
        if (refused) throw new VimFault('NotAuthenticated', `vCenter did not let this session read ${text(refused, 'path')}`);
        objects.push({ obj: moRef(child(o, 'obj'))!, props });
      }
      const token = text(result, 'token');
      if (!token) return objects;
      result = child(await this.soap.call('ContinueRetrievePropertiesEx', propertyCollector, { token }), 'returnval');
    }
  }

  /** Starts a *_Task method and waits for its end; returns info.result, throws its fault as VimFault. */
  async runTask(method: string, self: MoRef, args: SoapObject, timeoutMs: number): Promise<XmlNode | undefined> {
    const task = moRef(child(await this.soap.call(method, self, args), 'returnval'));
    if (!task) throw new VimFault('InvalidResponse', `vCenter answered ${method} without a task`);
    return this.waitTask(task, method, timeoutMs);
  }

  /**
   * Polls info.state (queued, running, success, error) with a growing interval, up to timeoutMs. A
   * task that vanishes, or whose reference now names another task (vCenter restarted and numbers its
   * tasks afresh), is lost: waiting longer cannot tell how it ended.
   */
  async waitTask(task: MoRef, method: string, timeoutMs: number): Promise<XmlNode | undefined> {
    const deadline = Date.now() + timeoutMs;
    let identity: string | undefined;
    for (let wait = 20; ; wait = Math.min(wait * 2, 1000)) {
      const info = (await this.get(task, ['info']))?.props.get('info');
      const seen = info && `${text(info, 'descriptionId')} queued ${text(info, 'queueTime')}`;
      identity ??= seen;
      if (!seen || seen !== identity)
        throw new TaskLost(`vCenter no longer knows ${method} (${task.value}); it may have restarted: how the task ended is unknown`);
      const state = text(info, 'state');
      if (state === 'success') return child(info, 'result');
      if (state === 'error') throw taskFault(method, child(info, 'error'));
      if (Date.now() >= deadline) throw new TaskTimeout(`${method} (${task.value}) did not end within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * A task's info.error as a VimFault: the fault's type, vCenter's message and the fault's own fields
 * (the file, property or object it names). vcsim's message is only its Go type ("*types.FileFault"),
 * which says nothing the type does not.
 */
function taskFault(method: string, error: XmlNode | undefined): VimFault {
  const fault = child(error, 'fault');
  const type = fault?.xsiType ?? 'TaskFailed';
  const message = text(error, 'localizedMessage')?.trim();
  const fields = (fault?.children ?? []).filter((f) => f.children.length === 0 && f.text.trim()).map((f) => `${f.name} ${f.text.trim()}`);
  const said = message && !message.startsWith('*types.') ? `: ${message}` : '';
  return new VimFault(type, `${method} ended in error${said}${fields.length ? ` (${fields.join(', ')})` : ''}`);
}
