import { lazy, useState, type ComponentType } from 'react';

/** A code-split module that remembers when it has arrived. */
export interface RouteModule<M> {
  (): Promise<M>;
  /** The module, once loaded (by a preload or a render); undefined before. */
  loaded(): M | undefined;
}

export function routeModule<M>(load: () => Promise<M>): RouteModule<M> {
  let module: M | undefined;
  let loading: Promise<M> | undefined;
  const get = (() =>
    (loading ??= load().then(
      (value) => (module = value),
      (error: unknown) => {
        loading = undefined; // a failed download may succeed on the next try
        throw error;
      },
    ))) as RouteModule<M>;
  get.loaded = () => module;
  return get;
}

/**
 * Like React.lazy, but renders at once when the module was preloaded. React.lazy always
 * suspends on its first render, and React then holds the revealed page back for up to
 * 300 ms (its fallback throttle): on a cold viewer join that was a visible share of the wait.
 */
export function lazyRoute<P extends object, M>(module: RouteModule<M>, pick: (module: M) => ComponentType<P>): ComponentType<P> {
  const Lazy = lazy(() => module().then((loaded) => ({ default: pick(loaded) })));
  return function LazyRoute(props: P) {
    // Decided once per mount: switching component types later would remount the page.
    const [preloaded] = useState(() => module.loaded());
    if (preloaded) {
      const Component = pick(preloaded);
      return <Component {...props} />;
    }
    return <Lazy {...props} />;
  };
}
