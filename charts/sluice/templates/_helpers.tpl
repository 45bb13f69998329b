{{/* Chart name, for the app.kubernetes.io/name label. */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of object names: the release name when it already says "sluice". */}}
{{- define "sluice.fullname" -}}
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

{{/* Name of the workload, its Services and its PodDisruptionBudget. */}}
{{- define "sluice.controllerName" -}}
{{- printf "%s-controller" (include "sluice.fullname" . | trunc 52 | trimSuffix "-") -}}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sluice.electionId" -}}
{{- default (printf "%s-leader" (include "sluice.fullname" .)) .Values.electionId -}}
{{- end -}}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Ports the listeners bind: the node's with hostNetwork, unprivileged pod ports otherwise. */}}
{{- define "sluice.httpPort" -}}
{{- ternary .Values.hostPorts.http .Values.containerPorts.http .Values.hostNetwork -}}
{{- end -}}
{{- define "sluice.httpsPort" -}}
{{- ternary .Values.hostPorts.https .Values.containerPorts.https .Values.hostNetwork -}}
{{- end -}}

{{/* Service address for --publish-service, or nothing. */}}
{{- define "sluice.publishService" -}}
{{- if and .Values.publishService.enabled (not .Values.publishStatusAddress) -}}
{{- if .Values.publishService.pathOverride -}}
{{- .Values.publishService.pathOverride -}}
{{- else if .Values.service.enabled -}}
{{- printf "$(POD_NAMESPACE)/%s" (include "sluice.controllerName" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Controller flags, in the same order as deploy/, as a YAML list (toYaml does the quoting). */}}
{{- define "sluice.args" -}}
{{- $v := .Values -}}
{{- $args := list
  (printf "--http-port=%v" (include "sluice.httpPort" .))
  (printf "--https-port=%v" (include "sluice.httpsPort" .))
  (printf "--admin-port=%v" $v.adminPort)
  (printf "--ingress-class=%s" $v.ingressClass.name)
  (printf "--controller-class=%s" $v.ingressClass.controllerValue) -}}
{{- if $v.watchIngressWithoutClass -}}
{{- $args = append $args "--watch-ingress-without-class" -}}
{{- end -}}
{{- $args = append $args (printf "--configmap=$(POD_NAMESPACE)/%s-config" (include "sluice.fullname" .)) -}}
{{- with include "sluice.publishService" . -}}
{{- $args = append $args (printf "--publish-service=%s" .) -}}
{{- end -}}
{{- with $v.publishStatusAddress -}}
{{- $args = append $args (printf "--publish-status-address=%s" (join "," .)) -}}
{{- end -}}
{{- with $v.defaultBackendService -}}
{{- $args = append $args (printf "--default-backend-service=%s" .) -}}
{{- end -}}
{{- with $v.defaultSslCertificate -}}
{{- $args = append $args (printf "--default-ssl-certificate=%s" .) -}}
{{- end -}}
{{- $args = append $args (printf "--election-id=%s" (include "sluice.electionId" .)) -}}
{{- $args = append $args (printf "--shutdown-grace-period=%v" $v.shutdownGracePeriod) -}}
{{- if not (kindIs "invalid" $v.workers) -}}
{{- $args = append $args (printf "--workers=%v" $v.workers) -}}
{{- end -}}
{{- $args = append $args (printf "--log-level=%s" $v.logLevel) -}}
{{- if kindIs "slice" $v.extraArgs -}}
{{- range $v.extraArgs -}}
{{- $args = append $args (toString .) -}}
{{- end -}}
{{- else -}}
{{- range $key, $value := $v.extraArgs -}}
{{- $args = append $args (ternary (printf "--%s" $key) (printf "--%s=%v" $key $value) (eq (toString $value) "")) -}}
{{- end -}}
{{- end -}}
{{- toYaml $args -}}
{{- end -}}
