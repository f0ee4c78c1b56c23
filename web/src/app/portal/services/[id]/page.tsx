import type { Metadata } from 'next';
import { ServiceDetail } from '@/components/service-detail';
import { apiGet } from '@/server/api';
import type { Service } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const service = await apiGet<Service>(`/v1/services/${encodeURIComponent(id)}`);
  return { title: service.name };
}

export default async function ServicePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const service = await apiGet<Service>(`/v1/services/${encodeURIComponent(id)}`);
  return <ServiceDetail scope="portal" service={service} query={await searchParams} />;
}
