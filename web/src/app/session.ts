import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Me } from '../../../contracts/auth.ts';
import { type Permission, can as roleCan } from '../../../contracts/roles.ts';
import { ApiError, api } from './api.ts';

export const meQuery = {
  queryKey: ['me'],
  queryFn: async (): Promise<Me | null> => {
    try {
      return await api<Me>('/me');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  staleTime: 30_000,
};

export const setupQuery = {
  queryKey: ['setup'],
  queryFn: () => api<{ needsSetup: boolean }>('/setup'),
  staleTime: 60_000,
};

export function useMe(): Me {
  const { data } = useQuery(meQuery);
  if (!data) throw new Error('useMe outside a signed-in page');
  return data;
}

export function useCan() {
  const me = useMe();
  const role = me.workspace?.role;
  return (p: Permission) => !!role && roleCan(role, p);
}

/** After sign-in, sign-out or a workspace switch every cached answer is stale. */
export function useResetSession() {
  const qc = useQueryClient();
  return async () => {
    qc.clear();
    await qc.fetchQuery(meQuery);
  };
}
