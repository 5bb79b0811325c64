/** Providers around the App: the engine environment and the colour theme. */
import type { Theme } from '../theme.js';
import { ThemeContext } from '../theme.js';
import { type DashboardEnv, EngineContext } from '../use-engine.js';
import { App, type AppProps } from './App.js';

export interface RootProps extends AppProps {
  readonly env: DashboardEnv;
  readonly theme: Theme;
}

export function Root({ env, theme, ...app }: RootProps) {
  return (
    <ThemeContext.Provider value={theme}>
      <EngineContext.Provider value={env}>
        <App {...app} />
      </EngineContext.Provider>
    </ThemeContext.Provider>
  );
}
