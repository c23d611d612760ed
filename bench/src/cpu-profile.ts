import { readFile } from 'node:fs/promises';

/** The parts of V8's .cpuprofile (what `node --cpu-prof` writes) that self time is computed from. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

interface SelfTime {
  name: string;
  ms: number;
  /** Share of the busy time: samples in `(idle)` are left out, so shares say where the work went. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  byFunction: SelfTime[];
  byModule: SelfTime[];
}

/**
 * Self time by function and by module from a .cpuprofile: each sample's interval goes to the function on top of
 * the stack. A module is the npm package a script belongs to (`@unreel/server` for the workspace's own packages),
 * `node:` for Node's internals, or V8's own entries (`(garbage collector)`, `(program)`).
 */
export async function summariseCpuProfile(path: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const frame = frames.get(nodeId);
    // The delta before a sample is the time it stands for (V8's own convention, as DevTools reads it).
    const us = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busyUs += us;
    const module = moduleOf(frame.url, frame.functionName);
    const where = frame.url ? `${module} ${shortPath(frame.url)}:${frame.lineNumber + 1}` : module;
    const name = `${frame.functionName || '(anonymous)'}  ${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
  });
  const rank = (totals: Map<string, number>): SelfTime[] =>
    [...totals].map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs })).sort((a, b) => b.ms - a.ms);
  return { busyMs: busyUs / 1000, byFunction: rank(byFunction), byModule: rank(byModule) };
}

function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:';
  const installed = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  if (installed?.[1]) return installed[1];
  const workspace = /\/(packages|plugins|bench)\/([^/]+)\//.exec(url);
  if (workspace?.[1] && workspace[2]) return workspace[1] === 'bench' ? 'bench' : `@unreel/${workspace[2]}`;
  return url;
}

function shortPath(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inPackage = /node_modules\/(?:@[^/]+\/)?[^/]+\/(?!.*node_modules\/)(.*)$/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  const inWorkspace = /\/(?:packages|plugins|bench)\/[^/]+\/(.*)$/.exec(path);
  return inWorkspace?.[1] ?? path;
}
