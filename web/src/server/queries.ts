// Reads shared by layouts and pages, deduplicated per request with React's cache().
import { cache } from 'react';
import { apiGet } from './api';
import type { Me, Tenant } from './types';

export const getMe = cache(() => apiGet<Me>('/v1/me'));
export const getTenant = cache(() => apiGet<Tenant>('/v1/tenant'));

/** Whether the signed-in user holds a permission (as the API reports it). */
export async function can(permission: string): Promise<boolean> {
  return (await getMe()).permissions.includes(permission);
}
