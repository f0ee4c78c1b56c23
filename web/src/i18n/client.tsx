'use client';
// The few strings client components need (the `client` section of the catalog), provided by the root layout.
import { createContext, useContext } from 'react';
import type { Messages } from './index';
import { interpolate, type Vars } from './locales';

type ClientMessages = Messages['client'];

const ClientMessagesContext = createContext<ClientMessages | null>(null);

export function I18nProvider({ messages, children }: { messages: ClientMessages; children: React.ReactNode }) {
  return <ClientMessagesContext.Provider value={messages}>{children}</ClientMessagesContext.Provider>;
}

/** `t('saving')` for keys of the catalog's `client` section. */
export function useT(): (key: keyof ClientMessages, vars?: Vars) => string {
  const messages = useContext(ClientMessagesContext);
  return (key, vars) => interpolate(messages?.[key] ?? String(key), vars);
}
