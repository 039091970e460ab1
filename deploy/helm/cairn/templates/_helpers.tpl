{{/* The chart's name, cut to what a label may hold. */}}
{{- define "cairn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's name for objects: RELEASE-cairn, or RELEASE when it already says cairn. */}}
{{- define "cairn.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cairn.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "cairn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "server"). */}}
{{- define "cairn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cairn.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "cairn.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* postgres when a DSN Secret is named or the bundled PostgreSQL is on, else sqlite. */}}
{{- define "cairn.store" -}}
{{- if or .Values.postgresql.external.existingSecret .Values.postgresql.bundled.enabled -}}postgres{{- else -}}sqlite{{- end -}}
{{- end -}}

{{- define "cairn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cairn.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cairn.masterKeySecret" -}}
{{- default (printf "%s-master-key" (include "cairn.fullname" .)) .Values.masterKey.existingSecret -}}
{{- end -}}

{{- define "cairn.connectionSecret" -}}
{{- if .Values.postgresql.bundled.enabled -}}
{{- printf "%s-postgresql" (include "cairn.fullname" .) -}}
{{- else -}}
{{- .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "cairn.connectionKey" -}}
{{- if .Values.postgresql.bundled.enabled -}}connection{{- else -}}{{ .Values.postgresql.external.key }}{{- end -}}
{{- end -}}

{{/* What the values may not combine; rendering stops with the reason. */}}
{{- define "cairn.validate" -}}
{{- if and .Values.postgresql.external.existingSecret .Values.postgresql.bundled.enabled -}}
{{- fail "postgresql: set either postgresql.external.existingSecret or postgresql.bundled.enabled, not both" -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (eq (include "cairn.store" .) "sqlite") -}}
{{- fail (printf "replicas: %d server replicas need PostgreSQL (postgresql.external.existingSecret or postgresql.bundled.enabled); on SQLite the store is one server's file, so replicas must be 1" (int .Values.replicas)) -}}
{{- end -}}
{{- if and .Values.workers.enabled (not .Values.workers.tokenSecret.name) -}}
{{- fail "workers.tokenSecret.name: HTTP workers need the Secret holding their worker token (cairn workers add NAME prints it)" -}}
{{- end -}}
{{- if and .Values.monitoring.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "monitoring.serviceMonitor.enabled needs metrics.enabled: the ServiceMonitor scrapes the metrics port" -}}
{{- end -}}
{{- end -}}

{{/* The pod's security context: non-root, the image's user. */}}
{{- define "cairn.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Each container's security context. */}}
{{- define "cairn.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The server's URL inside the cluster, for workers and the test. */}}
{{- define "cairn.internalUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "cairn.fullname" .) .Release.Namespace (int .Values.service.port) -}}
{{- end -}}
